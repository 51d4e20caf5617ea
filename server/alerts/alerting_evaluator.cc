// AlertingEvaluator: matches into the alert pipeline.
#include "server/alerts/alerting_evaluator.h"

#include <string>
#include <utility>

#include "alert/event_time.h"
#include "alert/rule_meta.h"
#include "common/json_escape.h"
#include "google/protobuf/util/json_util.h"

namespace detect::server {
namespace {

std::string StructJson(const google::protobuf::Message& m) {
  std::string out;
  if (!google::protobuf::util::MessageToJsonString(m, &out).ok()) return "null";
  return out;
}

std::string SummaryJson(const v1::Match& m) {
  std::string out = "{";
  for (int i = 0; i < m.summary_attributes_size(); ++i) {
    if (i > 0) out.push_back(',');
    AppendJsonString(m.summary_attributes(i).name(), &out);
    out.push_back(':');
    out += StructJson(m.summary_attributes(i).value());
  }
  out.push_back('}');
  return out;
}

// MatchRecord::render_opener over a v1::Match: protobuf's JSON printer is costly, and only a match that opens a
// window needs its alert context and summary as JSON.
void RenderOpener(const void* source, std::string* alert_context_json, std::string* summary_json) {
  const v1::Match& m = *static_cast<const v1::Match*>(source);
  *alert_context_json = m.has_alert_context() ? StructJson(m.alert_context()) : "{}";
  *summary_json = SummaryJson(m);
}

Severity FromProto(v1::Severity s) {
  const int v = static_cast<int>(s);
  if (v < 1 || v > 5) return Severity::kInfo;
  return static_cast<Severity>(v - 1);
}

}  // namespace

std::shared_ptr<const alert::RuleMeta> RuleMetaOf(const RuleInfo& rule) { return alert::RuleMetaOf(rule); }

AlertingEvaluator::AlertingEvaluator(Evaluator* inner, RuleStore* rules, AlertPipeline* pipeline,
                                     std::function<absl::Time()> now)
    : inner_(inner), rules_(rules), pipeline_(pipeline), now_(std::move(now)) {}

std::shared_ptr<const AlertingEvaluator::MetaCache> AlertingEvaluator::Metas() {
  std::shared_ptr<const RuleSet> current = rules_->Current();
  absl::MutexLock lock(&mu_);
  if (metas_ != nullptr && metas_->rules == current) return metas_;
  auto cache = std::make_shared<MetaCache>();
  cache->rules = current;
  if (current != nullptr) {
    for (size_t i = 0; i < current->size(); ++i) {
      cache->by_index.push_back(RuleMetaOf(current->rule(i)));
      cache->index_of.emplace(current->rule(i).id, i);  // Ids are unique in a set; the first wins regardless.
    }
  }
  metas_ = cache;
  return metas_;
}

absl::Time AlertingEvaluator::EventTime(const EventView& event, absl::Time fallback) {
  std::optional<absl::Time> t;
  if (event.payload == EventView::Payload::kJson) {
    t = alert::EventTimeOfJson(event.data);
  } else if (event.payload == EventView::Payload::kAuditEvent) {
    v1::AuditEvent audit;
    if (audit.ParseFromArray(event.data.data(), static_cast<int>(event.data.size()))) {
      for (const std::string* s : {&audit.p_event_time(), &audit.request_received_timestamp(),
                                   &audit.stage_timestamp()}) {
        if (!s->empty() && (t = alert::ParseEventTimestamp(*s))) break;
      }
    }
  }
  if (t.has_value()) return *t;
  pipeline_->metrics().event_time_missing.fetch_add(1);
  return fallback;
}

void AlertingEvaluator::Evaluate(const RequestView& request, v1::EvaluateResponse* response) {
  inner_->Evaluate(request, response);
  std::shared_ptr<const MetaCache> metas;
  const absl::Time now = now_();
  const bool event_clock = pipeline_->options().clock == AlertClock::kEvent;
  const size_t n = std::min(static_cast<size_t>(response->results_size()), request.events.size());
  // The request's matches go to the store as one batch (one Redis round trip), in event order.
  std::vector<alert::MatchRecord> batch;
  std::vector<v1::Match*> targets;
  for (size_t i = 0; i < n; ++i) {
    v1::EventResult* result = response->mutable_results(static_cast<int>(i));
    if (result->matches_size() == 0) continue;
    if (metas == nullptr) metas = Metas();
    const absl::Time time = event_clock ? EventTime(request.events[i], now) : now;
    for (v1::Match& m : *result->mutable_matches()) {
      alert::MatchRecord& record = batch.emplace_back();
      const auto found = metas->index_of.find(m.rule_id());
      if (found != metas->index_of.end()) {
        if (!metas->rules->rule(found->second).create_alert) {
          batch.pop_back();
          continue;
        }
        record.rule = metas->by_index[found->second];
      } else {  // The rule left the set since this batch was evaluated: what the match itself says.
        auto meta = std::make_shared<alert::RuleMeta>();
        meta->id = m.rule_id();
        if (m.threshold() > 0) meta->threshold = m.threshold();
        if (m.dedup_period_minutes() > 0) meta->dedup_period_minutes = m.dedup_period_minutes();
        meta->threshold_field = m.threshold_distinct_field();
        record.rule = std::move(meta);
      }
      record.dedup = m.dedup();
      record.title = m.title();
      record.severity = FromProto(m.severity());
      record.render_opener = &RenderOpener;
      record.opener_source = &m;
      record.event_id = result->event_id();
      record.distinct_value = m.distinct_value();
      record.time = time;
      targets.push_back(&m);
    }
  }
  if (batch.empty()) return;
  std::vector<std::string> ids = pipeline_->RecordBatch(&batch);
  for (size_t i = 0; i < ids.size(); ++i) {
    if (!ids[i].empty()) targets[i]->set_alert_id(std::move(ids[i]));
  }
}

}  // namespace detect::server
