// The one JSON shape of an alert.
#include "alert/alert.h"

#include "gtest/gtest.h"

namespace detect::alert {
namespace {

TEST(AlertJsonTest, FieldsAreSnakeCaseAndEscaped) {
  auto rule = std::make_shared<RuleMeta>();
  rule->id = "Kubernetes.Exec";
  rule->runbook = "look \"here\"";
  rule->mitre = {"TA0002:T1609"};
  AlertRecord a;
  a.alert_id = "abc";
  a.rule = rule;
  a.dedup = "user\nname";
  a.title = "Exec";
  a.severity = Severity::kHigh;
  a.highest_severity = Severity::kCritical;
  a.match_count = 3;
  a.window_start = absl::FromUnixSeconds(1640995200);
  a.first_match_time = a.window_start;
  a.last_match_time = a.window_start + absl::Milliseconds(1500);
  a.sample_event_ids = {"e1", "e2"};
  a.alert_context_json = R"({"k":1})";
  const std::string json = AlertToJson(a);
  EXPECT_NE(json.find(R"("alert_id":"abc","state":"opened","rule_id":"Kubernetes.Exec","dedup":"user\nname")"),
            std::string::npos) << json;
  EXPECT_NE(json.find(R"("severity":"High","highest_severity":"Critical","match_count":3)"), std::string::npos)
      << json;
  EXPECT_NE(json.find(R"("first_event_time":"2022-01-01T00:00:00.000000Z")"), std::string::npos) << json;
  EXPECT_NE(json.find(R"("last_event_time":"2022-01-01T00:00:01.500000Z")"), std::string::npos) << json;
  EXPECT_NE(json.find(R"("sample_event_ids":["e1","e2"],"alert_context":{"k":1})"), std::string::npos) << json;
  EXPECT_NE(json.find(R"("runbook":"look \"here\"")"), std::string::npos) << json;
  EXPECT_NE(json.find(R"("mitre_attack":["TA0002:T1609"])"), std::string::npos) << json;
  EXPECT_EQ(json.find("distinct_count"), std::string::npos) << json;
  EXPECT_EQ(json.find('\n'), std::string::npos);
}

}  // namespace
}  // namespace detect::alert
