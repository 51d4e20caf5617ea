// Metrics exposition, the /metrics HTTP responder, and the JSON log shim.
#include "server/metrics.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "server/log.h"
#include "server/metrics_http.h"

namespace detect::server {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

std::string HttpGet(int port, const std::string& request) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    ::close(fd);
    return "connect failed";
  }
  (void)!::write(fd, request.data(), request.size());
  std::string out;
  char buf[4096];
  ssize_t n;
  while ((n = ::read(fd, buf, sizeof(buf))) > 0) out.append(buf, static_cast<size_t>(n));
  ::close(fd);
  return out;
}

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

TEST(MetricsHttpTest, ServesMetricsAndRefusesOtherPaths) {
  auto server = MetricsHttpServer::Start("127.0.0.1:0", [] { return std::string("detectd_up 1\n"); });
  ASSERT_TRUE(server.ok()) << server.status();
  const int port = (*server)->port();
  ASSERT_GT(port, 0);
  const std::string ok = HttpGet(port, "GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_THAT(ok, StartsWith("HTTP/1.1 200 OK\r\n"));
  EXPECT_THAT(ok, HasSubstr("Content-Type: text/plain; version=0.0.4"));
  EXPECT_THAT(ok, HasSubstr("\r\n\r\ndetectd_up 1\n"));
  EXPECT_THAT(HttpGet(port, "GET /other HTTP/1.1\r\n\r\n"), StartsWith("HTTP/1.1 404"));
  EXPECT_THAT(HttpGet(port, "POST /metrics HTTP/1.1\r\n\r\n"), StartsWith("HTTP/1.1 405"));
  (*server)->Stop();
}

TEST(MetricsHttpTest, RejectsBadAddresses) {
  EXPECT_FALSE(MetricsHttpServer::Start("no-port", [] { return std::string(); }).ok());
  EXPECT_FALSE(MetricsHttpServer::Start("127.0.0.1:99999", [] { return std::string(); }).ok());
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
