// Batch evaluation over one rule-set snapshot, with per-thread engine state.
#include "server/engine_evaluator.h"

#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "engine/analysis/rule_analysis.h"
#include "engine/rule_set.h"
#include "engine/json_event.h"
#include "proto/audit_event_wire.h"
#include "server/proto_convert.h"

namespace detect::server {
namespace {

// Engine state of one thread, reused for every event it evaluates.
struct ThreadState {
  EvalScratch scratch;
  AuditEventWire wire;
  EvalResult result;
  std::unique_ptr<JsonEventParser> parser;
  size_t parser_max_bytes = 0;
  size_t parser_max_depth = 0;

  JsonEventParser& Parser(const EngineOptions& options) {
    // Rebuilt only if another evaluator in this process uses other limits (tests do).
    if (parser == nullptr || parser_max_bytes != options.max_event_bytes ||
        parser_max_depth != options.max_event_depth) {
      parser = std::make_unique<JsonEventParser>(options);
      parser_max_bytes = options.max_event_bytes;
      parser_max_depth = options.max_event_depth;
    }
    return *parser;
  }
};

ThreadState& State() {
  thread_local ThreadState state;
  return state;
}

void SetError(const absl::Status& status, v1::EventResult* result) {
  result->mutable_error()->set_code(static_cast<int>(status.code()));
  result->mutable_error()->set_message(std::string(status.message()));
}

absl::Status CheckSize(size_t bytes, const EngineOptions& options) {
  if (options.max_event_bytes != 0 && bytes > options.max_event_bytes) {
    return absl::InvalidArgumentError(
        absl::StrCat("event too large: ", bytes, " bytes exceeds max_event_bytes ", options.max_event_bytes));
  }
  return absl::OkStatus();
}

absl::Status EvaluateEvent(const RuleSet& rules, const EventView& event, ThreadState& state) {
  const EngineOptions& options = rules.options();
  switch (event.payload) {
    case EventView::Payload::kJson:
      return rules.EvaluateJson(event.data, event.log_type, state.Parser(options), state.scratch, state.result);
    case EventView::Payload::kAuditEvent: {
      if (absl::Status s = CheckSize(event.data.size(), options); !s.ok()) return s;
      if (absl::Status s = state.wire.Reset(event.data, options.max_event_depth); !s.ok()) return s;
      rules.Evaluate(state.wire.root(), event.log_type, state.scratch, state.result);
      return absl::OkStatus();
    }
    case EventView::Payload::kNone: break;
  }
  return absl::InvalidArgumentError("event has no payload: set audit_event or json");
}

}  // namespace

EngineEvaluator::EngineEvaluator(RuleStore* store) : store_(store) {}

void EngineEvaluator::Evaluate(const RequestView& request, v1::EvaluateResponse* response) {
  response->Clear();
  const std::shared_ptr<const RuleSet> rules = store_->Current();  // One snapshot for the whole batch.
  if (rules == nullptr) {
    for (const EventView& event : request.events) {
      v1::EventResult* r = response->add_results();
      r->set_event_id(event.id.data(), event.id.size());
      SetError(absl::UnavailableError("no rule set loaded"), r);
    }
    return;
  }
  response->set_rule_set_version(rules->version());
  const bool with_metadata = !request.omit_rule_metadata;
  ThreadState& state = State();
  for (const EventView& event : request.events) {
    v1::EventResult* r = response->add_results();
    r->set_event_id(event.id.data(), event.id.size());
    state.result.Clear();
    if (absl::Status s = EvaluateEvent(*rules, event, state); !s.ok()) {
      SetError(s, r);
      continue;
    }
    for (const Match& m : state.result.matches) FillMatch(m, with_metadata, r->add_matches());
  }
}

void EngineEvaluator::ListRules(const v1::ListRulesRequest& request, v1::ListRulesResponse* response) {
  const std::shared_ptr<const RuleSet> rules = store_->Current();
  if (rules == nullptr) return;
  response->set_rule_set_version(rules->version());
  response->set_loaded_at_unix_seconds(absl::ToUnixSeconds(store_->loaded_at()));
  for (size_t i = 0; i < rules->size(); ++i) {
    const RuleInfo& info = rules->rule(i);
    if (!request.log_type().empty()) {
      bool has = false;
      for (const std::string& t : info.log_types) has = has || t == request.log_type();
      if (!has) continue;
    }
    FillRuleMetadata(info, response->add_rules());
  }
}

absl::Status EngineEvaluator::GetRule(const v1::GetRuleRequest& request, v1::GetRuleResponse* response) {
  const std::shared_ptr<const RuleSet> rules = store_->Current();
  const int index = rules == nullptr ? -1 : rules->FindRule(request.rule_id());
  if (index < 0) return absl::NotFoundError(absl::StrCat("no loaded rule has RuleID '", request.rule_id(), "'"));
  response->set_rule_set_version(rules->version());
  FillRuleMetadata(rules->rule(static_cast<size_t>(index)), response->mutable_rule());
  return absl::OkStatus();
}

namespace {

void FillPredicate(const Predicate& p, v1::Predicate* out) {
  out->set_field(p.field);
  out->set_kind(p.kind);
  for (const std::string& v : p.values) out->add_values(v);
  out->set_other_rules(p.other_rules);
}

}  // namespace

absl::Status EngineEvaluator::DescribeRule(const v1::DescribeRuleRequest& request,
                                           v1::DescribeRuleResponse* response) {
  const std::shared_ptr<const RuleSet> rules = store_->Current();
  const int index = rules == nullptr ? -1 : rules->FindRule(request.rule_id());
  if (index < 0) return absl::NotFoundError(absl::StrCat("no loaded rule has RuleID '", request.rule_id(), "'"));
  const RuleAnalysis analysis = AnalyzeRule(*rules, static_cast<size_t>(index));
  response->set_rule_set_version(rules->version());
  FillRuleMetadata(*analysis.rule, response->mutable_rule());
  for (const MitreMapping& m : analysis.mitre) {
    v1::MitreAttackNames* out = response->add_mitre_attack();
    out->set_tactic(m.tactic_id);
    out->set_tactic_name(m.tactic_name);
    out->set_technique(m.technique_id);
    out->set_technique_name(m.technique_name);
  }
  for (const std::string& c : analysis.condition) response->add_condition(c);
  for (const Exclusion& x : analysis.exclusions) {
    v1::Exclusion* out = response->add_exclusions();
    out->set_expression(x.expression);
    for (const Predicate& p : x.predicates) FillPredicate(p, out->add_predicates());
  }
  for (const Predicate& p : analysis.indicators) FillPredicate(p, response->add_indicators());
  for (const std::string& f : analysis.output_fields) response->add_output_fields(f);
  response->set_indexed_by(analysis.indexed_by);
  response->set_text(FormatRuleAnalysisText(analysis));
  return absl::OkStatus();
}

}  // namespace detect::server
