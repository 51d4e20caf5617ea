// AlertToProto.
#include "server/alerts/alert_proto.h"

#include "google/protobuf/util/json_util.h"
#include "google/protobuf/util/time_util.h"

namespace detect::server {
namespace {

void SetTime(absl::Time t, google::protobuf::Timestamp* out) {
  const int64_t micros = absl::ToUnixMicros(t);
  int64_t seconds = micros / 1000000, rem = micros % 1000000;
  if (rem < 0) --seconds, rem += 1000000;
  out->set_seconds(seconds);
  out->set_nanos(static_cast<int32_t>(rem * 1000));
}

void SetStruct(const std::string& json, google::protobuf::Struct* out) {
  if (json.empty() || json == "{}") return;
  if (!google::protobuf::util::JsonStringToMessage(json, out).ok()) out->Clear();
}

v1::Severity SeverityToProto(Severity s) { return static_cast<v1::Severity>(static_cast<int>(s) + 1); }

}  // namespace

void AlertToProto(const alert::AlertRecord& a, v1::Alert* out) {
  const alert::RuleMeta& r = *a.rule;
  out->set_alert_id(a.alert_id);
  out->set_state(a.state == alert::AlertState::kOpened ? v1::ALERT_STATE_OPENED : v1::ALERT_STATE_UPDATED);
  out->set_rule_id(r.id);
  out->set_dedup(a.dedup);
  out->set_title(a.title);
  out->set_severity(SeverityToProto(a.severity));
  out->set_highest_severity(SeverityToProto(a.highest_severity));
  out->set_match_count(a.match_count);
  if (!r.threshold_field.empty()) {
    out->set_distinct_count(a.distinct_count);
    out->set_threshold_field(r.threshold_field);
  }
  out->set_threshold(r.threshold);
  out->set_dedup_period_minutes(r.dedup_period_minutes);
  SetTime(a.window_start, out->mutable_window_start());
  SetTime(a.window_end, out->mutable_window_end());
  SetTime(a.first_match_time, out->mutable_first_event_time());
  SetTime(a.last_match_time, out->mutable_last_event_time());
  for (const std::string& id : a.sample_event_ids) out->add_sample_event_ids(id);
  SetStruct(a.alert_context_json, out->mutable_alert_context());
  SetStruct(a.summary_json, out->mutable_summary_attributes());
  out->set_display_name(r.display_name);
  out->set_description(r.description);
  out->set_runbook(r.runbook);
  out->set_reference(r.reference);
  for (const std::string& t : r.tags) out->add_tags(t);
  for (const std::string& m : r.mitre) out->add_mitre_attack(m);
}

}  // namespace detect::server
