// Evaluator: what the gRPC service needs from the detection engine, as a pure-virtual interface, so the
// service stays a thin shell (tests/mocks/mock_evaluator.h holds a gMock double). EngineEvaluator
// (engine_evaluator.h) is the real one.
#ifndef DETECT_SERVER_EVALUATOR_H_
#define DETECT_SERVER_EVALUATOR_H_

#include "absl/status/status.h"
#include "detect/v1/detect.pb.h"
#include "server/request_view.h"

namespace detect::server {

// Implementations must be thread-safe: the service calls them concurrently from many RPCs.
class Evaluator {
 public:
  virtual ~Evaluator() = default;

  // Evaluates every event of `request` against one rule-set snapshot, taken when the call starts, and fills
  // `response` (cleared first; its capacity may be reused) with one EventResult per event, in order. Never
  // fails as a whole: an event that cannot be evaluated gets its own EventResult.error. Request-level limits
  // (events per request) are the service's job; per-event checks (size, well-formed payload) the evaluator's.
  virtual void Evaluate(const RequestView& request, v1::EvaluateResponse* response) = 0;

  // Metadata of the loaded rules (filtered by request.log_type) and the rule-set version.
  virtual void ListRules(const v1::ListRulesRequest& request, v1::ListRulesResponse* response) = 0;

  // Metadata of one rule; NotFound when no loaded rule has that id.
  virtual absl::Status GetRule(const v1::GetRuleRequest& request, v1::GetRuleResponse* response) = 0;

  // The analysis of one rule (engine/analysis); NotFound when no loaded rule has that id.
  virtual absl::Status DescribeRule(const v1::DescribeRuleRequest& request, v1::DescribeRuleResponse* response) = 0;
};

}  // namespace detect::server

#endif  // DETECT_SERVER_EVALUATOR_H_
