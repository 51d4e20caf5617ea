// gMock double of detect::server::Evaluator, for service tests that need no engine.
#ifndef DETECT_TESTS_MOCKS_MOCK_EVALUATOR_H_
#define DETECT_TESTS_MOCKS_MOCK_EVALUATOR_H_

#include "gmock/gmock.h"
#include "server/evaluator.h"

namespace detect::server {

// Use as ::testing::StrictMock<MockEvaluator> unless a test says why not.
class MockEvaluator : public Evaluator {
 public:
  MOCK_METHOD(void, Evaluate, (const RequestView& request, v1::EvaluateResponse* response), (override));
  MOCK_METHOD(void, ListRules, (const v1::ListRulesRequest& request, v1::ListRulesResponse* response),
              (override));
  MOCK_METHOD(absl::Status, DescribeRule,
              (const v1::DescribeRuleRequest& request, v1::DescribeRuleResponse* response), (override));
  MOCK_METHOD(absl::Status, GetRule, (const v1::GetRuleRequest& request, v1::GetRuleResponse* response),
              (override));
};

// An Evaluate action that answers each event with its id and, if `title` is not empty, one match of rule
// "mock.rule" with that title.
inline auto EchoIds(std::string title = "") {
  return [title](const RequestView& request, v1::EvaluateResponse* response) {
    response->Clear();
    response->set_rule_set_version("mock-version");
    for (const EventView& event : request.events) {
      v1::EventResult* r = response->add_results();
      r->set_event_id(std::string(event.id));
      if (!title.empty()) {
        v1::Match* m = r->add_matches();
        m->set_rule_id("mock.rule");
        m->set_severity(v1::SEVERITY_HIGH);
        m->set_title(title);
      }
    }
  };
}

}  // namespace detect::server

#endif  // DETECT_TESTS_MOCKS_MOCK_EVALUATOR_H_
