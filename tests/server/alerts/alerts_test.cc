// The alerting decorator and the local pipeline: matches of the real engine become alerts in an NDJSON file,
// Match.alert_id is set from the threshold on, the event clock reads event times, and an unreachable store
// buffers matches (bounded, counted) and replays them when it answers again.
#include <atomic>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "alert/memory_store.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "server/alerts/alert_pipeline.h"
#include "server/alerts/alerting_evaluator.h"
#include "server/engine_evaluator.h"
#include "tests/testing/test_files.h"
#include "tests/testing/engine_fixtures.h"
#include "tests/testing/eventually.h"
#include "tests/testing/status_matchers.h"

namespace detect::server {
namespace {

using ::detect::test_support::Eventually;
using ::detect::test_support::IsOk;
using ::testing::HasSubstr;

constexpr char kRule[] = R"(AnalysisType: rule
RuleID: Test.Exec
DisplayName: Exec into pod
Enabled: true
LogTypes: [Amazon.EKS.Audit]
Severity: High
DedupPeriodMinutes: 10
Threshold: 2
Runbook: check the pod
Reports:
  MITRE ATT&CK:
    - TA0002:T1609
Detection:
  - Key: verb
    Condition: Equals
    Value: exec
)";

std::vector<std::string> Lines(const std::string& path) {
  std::ifstream in(path);
  std::vector<std::string> out;
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

class AlertingEvaluatorTest : public ::testing::Test {
 protected:
  void Start(AlertClock clock, const std::string& rule_text = kRule) {
    ::detect::test_support::WriteFile(dir_.Sub("rule.yml"), rule_text);
    rules_ = std::make_unique<RuleStore>(RuleStoreOptions{dir_.path(), EngineOptions{}, ""}, nullptr);
    ASSERT_THAT(rules_->Reload("test"), IsOk());
    engine_ = std::make_unique<EngineEvaluator>(rules_.get());
    AlertOptions o;
    o.clock = clock;
    o.file = dir_.Sub("alerts.ndjson");
    absl::StatusOr<std::unique_ptr<AlertPipeline>> p = AlertPipeline::Create(o, &metrics_);
    ASSERT_THAT(p.status(), IsOk());
    pipeline_ = *std::move(p);
    alerting_ = std::make_unique<AlertingEvaluator>(engine_.get(), rules_.get(), pipeline_.get(),
                                                    [this] { return now_; });
  }
  v1::EvaluateResponse Evaluate(const std::vector<std::string>& json_events) {
    v1::EvaluateRequest request;
    for (size_t i = 0; i < json_events.size(); ++i) {
      v1::Event* e = request.add_events();
      e->set_id("e" + std::to_string(next_id_++));
      e->set_json(json_events[i]);
    }
    bytes_ = request.SerializeAsString();
    RequestView view;
    EXPECT_THAT(ParseRequestView(bytes_, &view), IsOk());
    v1::EvaluateResponse response;
    alerting_->Evaluate(view, &response);
    return response;
  }
  ::detect::test_support::TempDir dir_;
  AlertMetrics metrics_;
  std::unique_ptr<RuleStore> rules_;
  std::unique_ptr<EngineEvaluator> engine_;
  std::unique_ptr<AlertPipeline> pipeline_;
  std::unique_ptr<AlertingEvaluator> alerting_;
  absl::Time now_ = absl::FromUnixSeconds(1700000000);
  std::string bytes_;
  int next_id_ = 1;
};

TEST_F(AlertingEvaluatorTest, ThresholdMatchOpensOneAlertWrittenToTheFile) {
  Start(AlertClock::kProcessing);
  v1::EvaluateResponse first = Evaluate({R"({"verb":"exec"})", R"({"verb":"get"})"});
  ASSERT_EQ(first.results(0).matches_size(), 1);
  EXPECT_EQ(first.results(0).matches(0).alert_id(), "");  // 1 of 2: below the threshold.
  now_ += absl::Minutes(1);
  v1::EvaluateResponse second = Evaluate({R"({"verb":"exec"})"});
  ASSERT_EQ(second.results(0).matches_size(), 1);
  const std::string alert_id = second.results(0).matches(0).alert_id();
  EXPECT_EQ(alert_id.size(), 32u);
  now_ += absl::Minutes(1);
  EXPECT_EQ(Evaluate({R"({"verb":"exec"})"}).results(0).matches(0).alert_id(), alert_id);  // Joins it.
  ASSERT_TRUE(Eventually([&] { return Lines(dir_.Sub("alerts.ndjson")).size() == 1; }))
      << "alert file: " << ::testing::PrintToString(Lines(dir_.Sub("alerts.ndjson")));
  const std::string line = Lines(dir_.Sub("alerts.ndjson"))[0];
  EXPECT_THAT(line, HasSubstr("\"alert_id\":\"" + alert_id + "\",\"state\":\"opened\",\"rule_id\":\"Test.Exec\""));
  EXPECT_THAT(line, HasSubstr("\"match_count\":2"));
  EXPECT_THAT(line, HasSubstr("\"sample_event_ids\":[\"e1\",\"e3\"]"));
  EXPECT_THAT(line, HasSubstr("\"runbook\":\"check the pod\""));
  EXPECT_THAT(line, HasSubstr("\"mitre_attack\":[\"TA0002:T1609\"]"));
  EXPECT_EQ(metrics_.alerts_opened.load(), 1u);
  EXPECT_EQ(metrics_.matches_below_threshold.load(), 1u);
  EXPECT_EQ(metrics_.matches_joined.load(), 1u);
  EXPECT_TRUE(Eventually([&] { return metrics_.deliveries("file:" + dir_.Sub("alerts.ndjson"),
                                                          DeliveryOutcome::kDelivered) == 1; }));
}

TEST_F(AlertingEvaluatorTest, WindowEndsAfterDedupPeriodWithoutAlert) {
  Start(AlertClock::kProcessing);
  Evaluate({R"({"verb":"exec"})"});
  now_ += absl::Minutes(10);  // Exactly the window's end: a new window.
  EXPECT_EQ(Evaluate({R"({"verb":"exec"})"}).results(0).matches(0).alert_id(), "");
  EXPECT_EQ(metrics_.alerts_opened.load(), 0u);
}

TEST_F(AlertingEvaluatorTest, EventClockReadsEventTimes) {
  Start(AlertClock::kEvent);
  // Eleven minutes apart by event time (the processing clock does not move): two windows, no alert.
  Evaluate({R"({"verb":"exec","requestReceivedTimestamp":"2024-01-01T00:00:00Z"})",
            R"({"verb":"exec","p_event_time":"2024-01-01 00:11:00"})"});
  EXPECT_EQ(metrics_.alerts_opened.load(), 0u);
  v1::EvaluateResponse r = Evaluate({R"({"verb":"exec","stageTimestamp":"2024-01-01T00:12:00Z"})"});
  EXPECT_NE(r.results(0).matches(0).alert_id(), "");
  ASSERT_TRUE(Eventually([&] { return Lines(dir_.Sub("alerts.ndjson")).size() == 1; }));
  EXPECT_THAT(Lines(dir_.Sub("alerts.ndjson"))[0], HasSubstr("\"first_event_time\":\"2024-01-01T00:11:00.000000Z\""));
  // No time in the event: processing time, counted.
  Evaluate({R"({"verb":"exec"})"});
  EXPECT_EQ(metrics_.event_time_missing.load(), 1u);
}

// The pack's Kubernetes.BulkSecretAccess, as shipped: 15 distinct objectRef.name per user and client in 30 minutes.
TEST_F(AlertingEvaluatorTest, BulkSecretAccessAlertsAtTheFifteenthDistinctSecret) {
  const std::string text =
      test_support::ReadWholeFile(test_support::SourcePath("rules/aws_eks/secret_enumeration.yml"));
  ASSERT_FALSE(text.empty()) << "rules/aws_eks/secret_enumeration.yml not found (DETECT_SOURCE_DIR?)";
  Start(AlertClock::kProcessing, text);
  const auto get = [](const std::string& user, const std::string& name) {
    return R"({"kind":"Event","verb":"get","user":{"username":")" + user +
           R"("},"userAgent":"kubectl","objectRef":{"resource":"secrets","namespace":"prod","name":")" + name +
           R"("},"responseStatus":{"code":200},"p_log_type":"Amazon.EKS.Audit"})";
  };
  const std::string list = R"({"kind":"Event","verb":"list","user":{"username":"eve"},"userAgent":"kubectl",)"
                           R"("objectRef":{"resource":"secrets","namespace":"prod"},"responseStatus":{"code":200},)"
                           R"("p_log_type":"Amazon.EKS.Audit"})";
  // 14 distinct secrets, each read three times, plus lists (no name): 45 matches, no alert.
  for (int round = 0; round < 3; ++round) {
    std::vector<std::string> batch;
    for (int i = 0; i < 14; ++i) batch.push_back(get("eve", "secret-" + std::to_string(i)));
    batch.push_back(list);
    v1::EvaluateResponse r = Evaluate(batch);
    for (const v1::EventResult& e : r.results()) {
      ASSERT_EQ(e.matches_size(), 1) << e.DebugString();
      EXPECT_EQ(e.matches(0).alert_id(), "");
      EXPECT_EQ(e.matches(0).threshold_distinct_field(), "objectRef.name");
    }
    now_ += absl::Minutes(1);
  }
  Evaluate({list, list});
  EXPECT_EQ(metrics_.alerts_opened.load(), 0u);
  // Another user's 15th distinct secret is theirs alone.
  Evaluate({get("mallory", "secret-14")});
  EXPECT_EQ(metrics_.alerts_opened.load(), 0u);
  v1::EvaluateResponse fifteenth = Evaluate({get("eve", "secret-14")});
  ASSERT_EQ(fifteenth.results(0).matches_size(), 1);
  EXPECT_EQ(fifteenth.results(0).matches(0).distinct_value(), "secret-14");
  EXPECT_EQ(fifteenth.results(0).matches(0).alert_id().size(), 32u);
  EXPECT_EQ(metrics_.alerts_opened.load(), 1u);
  ASSERT_TRUE(Eventually([&] { return Lines(dir_.Sub("alerts.ndjson")).size() == 1; }))
      << ::testing::PrintToString(Lines(dir_.Sub("alerts.ndjson")));
  const std::string line = Lines(dir_.Sub("alerts.ndjson"))[0];
  EXPECT_THAT(line, HasSubstr("\"rule_id\":\"Kubernetes.BulkSecretAccess\""));
  EXPECT_THAT(line, HasSubstr("\"dedup\":\"eve:kubectl\""));
  EXPECT_THAT(line, HasSubstr("\"match_count\":48"));
  EXPECT_THAT(line, HasSubstr("\"distinct_count\":15"));
  EXPECT_THAT(line, HasSubstr("\"threshold_field\":\"objectRef.name\""));
}

// A store that fails while `down` is set.
class FlakyStore final : public alert::AlertStore {
 public:
  explicit FlakyStore(std::atomic<bool>* down) : down_(down), inner_(alert::MemoryStoreOptions{}) {}
  absl::StatusOr<alert::RecordResult> Record(const alert::MatchRecord& m) override {
    if (down_->load()) return absl::UnavailableError("down");
    return inner_.Record(m);
  }

 private:
  std::atomic<bool>* down_;
  alert::MemoryAlertStore inner_;
};

TEST(AlertPipelineTest, UnreachableStoreBuffersBoundedAndReplaysInOrder) {
  std::atomic<bool> down{true};
  AlertMetrics metrics;
  AlertOptions o;
  o.redis_buffer = 3;
  AlertPipeline pipeline(o, std::make_unique<FlakyStore>(&down), false, nullptr, &metrics);
  auto rule = std::make_shared<alert::RuleMeta>();
  rule->id = "R";
  rule->threshold = 3;
  alert::MatchRecord m;
  m.rule = rule;
  m.dedup = "k";
  m.time = absl::FromUnixSeconds(1700000000);
  for (int i = 0; i < 5; ++i) EXPECT_EQ(pipeline.Record(m), "");
  EXPECT_EQ(metrics.degraded.load(), 1);
  EXPECT_EQ(metrics.buffered.load(), 3);
  EXPECT_EQ(metrics.buffer_overflow.load(), 2u);
  down = false;
  ASSERT_TRUE(Eventually([&] { return metrics.degraded.load() == 0 && metrics.buffered.load() == 0; }))
      << "buffered=" << metrics.buffered.load();
  EXPECT_EQ(metrics.alerts_opened.load(), 1u);  // The three replayed matches reached the threshold.
  EXPECT_NE(pipeline.Record(m), "");
}

// An alert log that keeps what it is given.
class CollectingLog final : public AlertLog {
 public:
  void Append(const alert::AlertRecord& a) override {
    absl::MutexLock lock(&mu_);
    alerts_.push_back(a);
  }
  void Stop(absl::Time) override {}
  std::vector<alert::AlertRecord> alerts() {
    absl::MutexLock lock(&mu_);
    return alerts_;
  }

 private:
  absl::Mutex mu_;
  std::vector<alert::AlertRecord> alerts_;
};

// The memory store's windows die with the process: at shutdown every alert's undelivered count is delivered.
TEST(AlertPipelineTest, ShutdownDeliversTheFinalCountsOfTheMemoryStore) {
  AlertMetrics metrics;
  AlertOptions o;  // Updates at most every 5 minutes: none due during the test.
  auto log = std::make_unique<CollectingLog>();
  CollectingLog* collected = log.get();
  auto store = std::make_unique<alert::MemoryAlertStore>(alert::MemoryStoreOptions{});
  auto pipeline = std::make_unique<AlertPipeline>(o, std::move(store), false, std::move(log), &metrics);
  auto rule = std::make_shared<alert::RuleMeta>();
  rule->id = "R";
  alert::MatchRecord m;
  m.rule = rule;
  m.dedup = "k";
  m.time = absl::FromUnixSeconds(1700000000);
  for (int i = 0; i < 3; ++i) EXPECT_NE(pipeline->Record(m), "");
  ASSERT_EQ(collected->alerts().size(), 1u);
  pipeline->Shutdown(absl::Now() + absl::Seconds(5));
  std::vector<alert::AlertRecord> alerts = collected->alerts();
  ASSERT_EQ(alerts.size(), 2u);
  EXPECT_EQ(alerts[0].state, alert::AlertState::kOpened);
  EXPECT_EQ(alerts[0].match_count, 1);
  EXPECT_EQ(alerts[1].state, alert::AlertState::kUpdated);
  EXPECT_EQ(alerts[1].match_count, 3);
  EXPECT_EQ(metrics.final_updates.load(), 1u);
}

// A match whose alert context is rendered on demand, from a source that dies with the request: buffered while
// the store is down, it is rendered before it is buffered, so the replayed alert has its fields.
TEST(AlertPipelineTest, BufferedMatchesAreRenderedBeforeTheirRequestEnds) {
  std::atomic<bool> down{true};
  AlertMetrics metrics;
  AlertOptions o;
  AlertPipeline pipeline(o, std::make_unique<FlakyStore>(&down), false, nullptr, &metrics);
  absl::Mutex mu;
  std::vector<alert::AlertRecord> emitted;
  pipeline.SetObserver([&](const alert::AlertRecord& a) {
    absl::MutexLock lock(&mu);
    emitted.push_back(a);
  });
  auto rule = std::make_shared<alert::RuleMeta>();
  rule->id = "R";
  rule->threshold = 2;
  {
    auto source = std::make_unique<std::string>(R"({"who":"alice"})");
    std::vector<alert::MatchRecord> batch(2);
    for (alert::MatchRecord& m : batch) {
      m.rule = rule;
      m.dedup = "k";
      m.time = absl::FromUnixSeconds(1700000000);
      m.render_opener = [](const void* src, std::string* ctx, std::string* sum) {
        *ctx = *static_cast<const std::string*>(src);
        *sum = R"({"s":1})";
      };
      m.opener_source = source.get();
    }
    EXPECT_THAT(pipeline.RecordBatch(&batch), ::testing::ElementsAre("", ""));
    EXPECT_EQ(metrics.buffered.load(), 2);
    source->assign("gone");  // The request is over: what the renderer would read now is wrong.
  }
  down = false;
  ASSERT_TRUE(Eventually([&] { return metrics.buffered.load() == 0; }));
  absl::MutexLock lock(&mu);
  ASSERT_EQ(emitted.size(), 1u);
  EXPECT_EQ(emitted[0].alert_context_json, R"({"who":"alice"})");
  EXPECT_EQ(emitted[0].summary_json, R"({"s":1})");
}

}  // namespace
}  // namespace detect::server
