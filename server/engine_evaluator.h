// EngineEvaluator: the Evaluator backed by the detection engine and a RuleStore. Typed AuditEvents are
// evaluated from their serialized bytes through the wire-format view (proto/audit_event_wire.h), raw JSON
// through the engine's simdjson parser; per-thread EvalScratch, JsonEventParser and EvalResult are reused.
#ifndef DETECT_SERVER_ENGINE_EVALUATOR_H_
#define DETECT_SERVER_ENGINE_EVALUATOR_H_

#include "server/evaluator.h"
#include "server/rule_store.h"

namespace detect::server {

// Thread-safe. The store is not owned and must outlive the evaluator.
class EngineEvaluator final : public Evaluator {
 public:
  explicit EngineEvaluator(RuleStore* store);

  // Per-event errors (INVALID_ARGUMENT): no payload, JSON that is not one object, a malformed serialized
  // AuditEvent, or an event larger than EngineOptions::max_event_bytes (JSON bytes, or the serialized size of
  // a typed event; the message names the limit).
  void Evaluate(const RequestView& request, v1::EvaluateResponse* response) override;
  void ListRules(const v1::ListRulesRequest& request, v1::ListRulesResponse* response) override;
  absl::Status GetRule(const v1::GetRuleRequest& request, v1::GetRuleResponse* response) override;
  absl::Status DescribeRule(const v1::DescribeRuleRequest& request, v1::DescribeRuleResponse* response) override;

 private:
  RuleStore* const store_;
};

}  // namespace detect::server

#endif  // DETECT_SERVER_ENGINE_EVALUATOR_H_
