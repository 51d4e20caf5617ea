// Delivery: a sink that keeps failing is retried with backoff and then dead-lettered (counted) without keeping
// the alert from the other sinks; the webhook signature is HMAC-SHA256 (RFC 4231 vector); an unreachable webhook
// is an error the dispatcher retries.
#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "server/alerts/alert_sink.h"
#include "server/alerts/webhook_sink.h"

namespace detect::server {
namespace {

class FakeSink final : public AlertSink {
 public:
  FakeSink(std::string name, int failures) : name_(std::move(name)), failures_(failures) {}
  absl::Status Deliver(const alert::AlertRecord&, const std::string& json) override {
    ++calls;
    if (calls <= failures_) return absl::UnavailableError("HTTP 500");
    bodies.push_back(json);
    return absl::OkStatus();
  }
  const std::string& name() const override { return name_; }
  int calls = 0;
  std::vector<std::string> bodies;

 private:
  std::string name_;
  int failures_;
};

alert::AlertRecord Alert() {
  alert::AlertRecord a;
  auto rule = std::make_shared<alert::RuleMeta>();
  rule->id = "R";
  a.rule = rule;
  a.alert_id = "id1";
  return a;
}

TEST(DispatcherTest, RetriesThenDeadLettersWithoutHoldingBackOtherSinks) {
  AlertMetrics metrics;
  auto failing = std::make_unique<FakeSink>("bad", 1000);
  auto flaky = std::make_unique<FakeSink>("flaky", 2);
  auto good = std::make_unique<FakeSink>("good", 0);
  FakeSink *f = failing.get(), *fl = flaky.get(), *g = good.get();
  std::vector<std::unique_ptr<AlertSink>> sinks;
  sinks.push_back(std::move(failing));
  sinks.push_back(std::move(flaky));
  sinks.push_back(std::move(good));
  Dispatcher d(std::move(sinks), RetryPolicy{4, absl::Milliseconds(1)}, &metrics);
  d.Deliver(Alert());
  EXPECT_EQ(f->calls, 4);
  EXPECT_EQ(metrics.deliveries("bad", DeliveryOutcome::kRetried), 3u);
  EXPECT_EQ(metrics.deliveries("bad", DeliveryOutcome::kDeadLettered), 1u);
  EXPECT_EQ(fl->calls, 3);
  EXPECT_EQ(metrics.deliveries("flaky", DeliveryOutcome::kDelivered), 1u);
  ASSERT_EQ(g->bodies.size(), 1u);
  EXPECT_EQ(g->bodies[0], alert::AlertToJson(Alert()));
  EXPECT_NE(metrics.RenderPrometheus().find(
                "detect_alert_deliveries_total{sink=\"bad\",outcome=\"dead_lettered\"} 1"),
            std::string::npos);
}

TEST(WebhookSinkTest, SignatureIsHmacSha256) {
  EXPECT_EQ(HmacSha256Hex("Jefe", "what do ya want for nothing?"),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

TEST(WebhookSinkTest, UnreachableUrlIsARetryableError) {
  WebhookSink sink("http://127.0.0.1:1/hook", "", WebhookFormat::kJson, absl::Seconds(2));
  absl::Status s = sink.Deliver(Alert(), "{}");
  EXPECT_EQ(s.code(), absl::StatusCode::kUnavailable) << s;
}

TEST(WebhookSinkTest, SlackBodyIsOneTextField) {
  alert::AlertRecord a = Alert();
  a.title = "Exec \"x\"";
  a.match_count = 3;
  const std::string body = SlackBody(a);
  EXPECT_EQ(body.rfind("{\"text\":\"[Info] Exec \\\"x\\\" (R): 3 matches since ", 0), 0u) << body;
}

}  // namespace
}  // namespace detect::server
