// Metrics exposition and the JSON log shim (the HTTP side: http_server_test.cc).
#include "common/json_escape.h"
#include "server/metrics.h"

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "server/log.h"

namespace detect::server {
namespace {

using ::testing::HasSubstr;

v1::EvaluateResponse ResponseWithMatchAndError() {
  v1::EvaluateResponse r;
  v1::EventResult* ok = r.add_results();
  v1::Match* m = ok->add_matches();
  m->set_rule_id("Rule.\"Quoted\"");
  m->set_severity(v1::SEVERITY_LOW);
  r.add_results()->mutable_error()->set_code(3);
  return r;
}

TEST(MetricsTest, RendersCountersHistogramAndLabels) {
  Metrics metrics;
  metrics.RecordBatch(RpcMethod::kStreamEvaluate, ResponseWithMatchAndError(), absl::Milliseconds(3));
  metrics.RecordCall(RpcMethod::kEvaluate, grpc::StatusCode::INVALID_ARGUMENT);
  metrics.SetRuleSet("abc123", 7, absl::FromUnixSeconds(1700000000));
  metrics.RecordReload(ReloadOutcome::kRejected);
  metrics.StreamOpened();
  const std::string text = metrics.RenderPrometheus();
  EXPECT_THAT(text, HasSubstr("detectd_events_evaluated_total{method=\"StreamEvaluate\"} 2\n"));
  EXPECT_THAT(text, HasSubstr("detectd_event_errors_total 1\n"));
  EXPECT_THAT(text, HasSubstr("detectd_matches_total{rule_id=\"Rule.\\\"Quoted\\\"\",severity=\"Low\"} 1\n"));
  EXPECT_THAT(text, HasSubstr("detectd_request_duration_seconds_bucket{method=\"StreamEvaluate\",le=\"0.005\"} 1\n"));
  EXPECT_THAT(text, HasSubstr("detectd_request_duration_seconds_bucket{method=\"StreamEvaluate\",le=\"0.0025\"} 0\n"));
  EXPECT_THAT(text, HasSubstr("detectd_request_duration_seconds_count{method=\"StreamEvaluate\"} 1\n"));
  EXPECT_THAT(text, HasSubstr("detectd_calls_total{method=\"Evaluate\",code=\"INVALID_ARGUMENT\"} 1\n"));
  EXPECT_THAT(text, HasSubstr("detectd_rule_set_info{version=\"abc123\"} 1\n"));
  EXPECT_THAT(text, HasSubstr("detectd_rules_loaded 7\n"));
  EXPECT_THAT(text, HasSubstr("detectd_rule_reloads_total{outcome=\"rejected\"} 1\n"));
  EXPECT_THAT(text, HasSubstr("detectd_streams_in_flight 1\n"));
}


TEST(LogTest, EscapesJsonStrings) {
  std::string out;
  AppendJsonString("a\"b\\c\nd\x01", &out);
  EXPECT_EQ(out, "\"a\\\"b\\\\c\\nd\\u0001\"");
  EXPECT_EQ(LogField("k", 3).json(), "3");
  EXPECT_EQ(LogField("k", true).json(), "true");
  EXPECT_EQ(LogField("k", "v").json(), "\"v\"");
}

}  // namespace
}  // namespace detect::server
