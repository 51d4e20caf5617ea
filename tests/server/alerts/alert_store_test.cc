// One suite, two stores: the in-memory LRU store and the Redis store (redis-server started by the test on a Unix
// socket in a temp dir) must give the same outcomes for the same matches, make exactly one alert when two
// "replicas" record one key at once, and count distinct values. Redis-only cases follow.
#include <hiredis/hiredis.h>

#include <atomic>
#include <memory>
#include <thread>
#include <vector>

#include "alert/memory_store.h"
#include "gtest/gtest.h"
#include "server/alerts/redis_store.h"
#include "tests/testing/test_files.h"
#include "tests/testing/redis_server.h"

namespace detect::server {
namespace {

using alert::Outcome;

const absl::Time kT0 = absl::FromUnixSeconds(1700000000);

// Each test gets a fresh key prefix, so one redis-server serves the whole suite.
class RedisEnv {
 public:
  static RedisEnv& Get() {
    static RedisEnv env;  // Destroyed at exit: the server is killed then.
    return env;
  }
  bool ok() const { return ok_; }
  std::string url() const { return server_.url(); }
  std::string NextPrefix() { return "t" + std::to_string(++n_); }

 private:
  RedisEnv() : server_(dir_.path()) { ok_ = test_support::RedisServer::available() && server_.Start(); }
  ::detect::test_support::TempDir dir_;
  ::detect::test_support::RedisServer server_;
  bool ok_ = false;
  int n_ = 0;
};

struct MemoryBackend {
  static constexpr bool kRedis = false;
  std::shared_ptr<alert::MemoryAlertStore> shared;
  explicit MemoryBackend(const AlertOptions& o) {
    alert::MemoryStoreOptions mo;
    mo.policy = o.policy;
    shared = std::make_shared<alert::MemoryAlertStore>(mo);
  }
  // Another replica's view of the same state: for memory, the same store.
  std::shared_ptr<alert::AlertStore> Replica() { return shared; }
};

struct RedisBackend {
  static constexpr bool kRedis = true;
  AlertOptions options;
  RedisAddress address;
  explicit RedisBackend(const AlertOptions& o) : options(o) {
    options.redis_prefix = RedisEnv::Get().NextPrefix();
    address = *ParseRedisUrl(RedisEnv::Get().url());
  }
  std::shared_ptr<alert::AlertStore> Replica() { return std::make_shared<RedisAlertStore>(address, options); }
};

template <typename Backend>
class AlertStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (Backend::kRedis && !RedisEnv::Get().ok()) GTEST_SKIP() << "redis-server not installed or did not start";
    options_.policy.update_interval = absl::Seconds(10);
    options_.policy.max_sample_event_ids = 2;
    backend_ = std::make_unique<Backend>(options_);
    store_ = backend_->Replica();
    rule_ = std::make_shared<alert::RuleMeta>();
    rule_->id = "Test.Rule";
    rule_->display_name = "Test rule";
    rule_->runbook = "do things";
    rule_->mitre = {"TA0002:T1609", "TA0001"};
    rule_->tags = {"a", "b"};
    rule_->dedup_period_minutes = 1;
    rule_->threshold = 3;
  }
  alert::MatchRecord Match(double seconds, const std::string& dedup = "k", Severity sev = Severity::kLow) {
    alert::MatchRecord m;
    m.rule = rule_;
    m.dedup = dedup;
    m.title = "title " + std::to_string(++n_);
    m.severity = sev;
    m.event_id = "e" + std::to_string(n_);
    m.alert_context_json = R"({"n":)" + std::to_string(n_) + "}";
    m.time = kT0 + absl::Seconds(seconds);
    return m;
  }
  Outcome Record(const alert::MatchRecord& m, alert::RecordResult* out = nullptr) {
    absl::StatusOr<alert::RecordResult> r = store_->Record(m);
    EXPECT_TRUE(r.ok()) << r.status();
    if (!r.ok()) return Outcome::kBelowThreshold;
    if (out != nullptr) *out = *r;
    return r->outcome;
  }
  // Two "replicas" of the store recording `matches` at once: 4 threads, thread t records matches t, t+4, ... on
  // replica t % 2.
  struct RaceResult {
    int opened = 0;  // Records whose outcome was kAlertOpened.
    int errors = 0;  // Records that failed.
  };
  RaceResult RecordOnTwoReplicasAtOnce(const std::vector<alert::MatchRecord>& matches) {
    std::shared_ptr<alert::AlertStore> replicas[2] = {backend_->Replica(), backend_->Replica()};
    std::atomic<int> opened{0}, errors{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) {
      threads.emplace_back([&, t] {
        for (size_t i = static_cast<size_t>(t); i < matches.size(); i += 4) {
          absl::StatusOr<alert::RecordResult> r = replicas[t % 2]->Record(matches[i]);
          if (!r.ok()) errors.fetch_add(1);
          else if (r->outcome == Outcome::kAlertOpened) opened.fetch_add(1);
        }
      });
    }
    for (auto& th : threads) th.join();
    return {opened.load(), errors.load()};
  }
  AlertOptions options_;
  std::unique_ptr<Backend> backend_;
  std::shared_ptr<alert::AlertStore> store_;
  std::shared_ptr<alert::RuleMeta> rule_;
  int n_ = 0;
};

using Backends = ::testing::Types<MemoryBackend, RedisBackend>;
class BackendNames {
 public:
  template <typename T>
  static std::string GetName(int) { return T::kRedis ? "Redis" : "Memory"; }
};
TYPED_TEST_SUITE(AlertStoreTest, Backends, BackendNames);

TYPED_TEST(AlertStoreTest, WindowAndThresholdOutcomes) {
  EXPECT_EQ(this->Record(this->Match(0)), Outcome::kBelowThreshold);
  EXPECT_EQ(this->Record(this->Match(10)), Outcome::kBelowThreshold);
  EXPECT_EQ(this->Record(this->Match(20)), Outcome::kAlertOpened);
  EXPECT_EQ(this->Record(this->Match(25)), Outcome::kAlertJoined);
  EXPECT_EQ(this->Record(this->Match(31)), Outcome::kAlertUpdated);  // 11 s after the opening emission.
  EXPECT_EQ(this->Record(this->Match(60)), Outcome::kBelowThreshold);  // Exactly at the end: a new window.
  EXPECT_EQ(this->Record(this->Match(0, "other")), Outcome::kBelowThreshold);
}

TYPED_TEST(AlertStoreTest, EmittedAlertCarriesOpenerFieldsCountsAndMetadata) {
  this->Record(this->Match(5));
  this->Record(this->Match(1, "k", Severity::kCritical));  // Earlier (event time backwards) joins.
  alert::RecordResult r;
  ASSERT_EQ(this->Record(this->Match(9), &r), Outcome::kAlertOpened);
  ASSERT_TRUE(r.emit.has_value());
  const alert::AlertRecord& a = *r.emit;
  EXPECT_EQ(a.alert_id, alert::AlertId("Test.Rule", "k", kT0 + absl::Seconds(5)));
  EXPECT_EQ(r.alert_id, a.alert_id);
  EXPECT_EQ(a.state, alert::AlertState::kOpened);
  EXPECT_EQ(a.rule->id, "Test.Rule");
  EXPECT_EQ(a.rule->runbook, "do things");
  EXPECT_EQ(a.rule->mitre, (std::vector<std::string>{"TA0002:T1609", "TA0001"}));
  EXPECT_EQ(a.rule->tags, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(a.rule->threshold, 3);
  EXPECT_EQ(a.dedup, "k");
  EXPECT_EQ(a.title, "title 1");
  EXPECT_EQ(a.alert_context_json, R"({"n":1})");
  EXPECT_EQ(a.severity, Severity::kLow);
  EXPECT_EQ(a.highest_severity, Severity::kCritical);
  EXPECT_EQ(a.match_count, 3);
  EXPECT_EQ(a.window_start, kT0 + absl::Seconds(5));
  EXPECT_EQ(a.window_end, kT0 + absl::Seconds(65));
  EXPECT_EQ(a.first_match_time, kT0 + absl::Seconds(1));
  EXPECT_EQ(a.last_match_time, kT0 + absl::Seconds(9));
  EXPECT_EQ(a.sample_event_ids, (std::vector<std::string>{"e1", "e2"}));
}

TYPED_TEST(AlertStoreTest, TwoReplicasRecordingOneKeyAtOnceMakeOneAlert) {
  this->rule_->threshold = 40;
  std::vector<alert::MatchRecord> matches;
  for (int i = 0; i < 100; ++i) matches.push_back(this->Match(1));
  const auto race = this->RecordOnTwoReplicasAtOnce(matches);
  EXPECT_EQ(race.errors, 0);
  EXPECT_EQ(race.opened, 1);
}

TYPED_TEST(AlertStoreTest, DistinctValueThresholdCountsValuesNotMatches) {
  this->rule_->threshold_field = "objectRef.name";
  const auto with = [this](double s, const std::string& v) {
    alert::MatchRecord m = this->Match(s);
    m.distinct_value = v;
    return m;
  };
  EXPECT_EQ(this->Record(with(0, "a")), Outcome::kBelowThreshold);
  EXPECT_EQ(this->Record(with(1, "a")), Outcome::kBelowThreshold);
  EXPECT_EQ(this->Record(with(2, "b")), Outcome::kBelowThreshold);
  alert::RecordResult r;
  EXPECT_EQ(this->Record(with(3, "c"), &r), Outcome::kAlertOpened);
  ASSERT_TRUE(r.emit.has_value());
  EXPECT_EQ(r.emit->distinct_count, 3);
  EXPECT_EQ(r.emit->match_count, 4);
  EXPECT_EQ(this->Record(with(61, "d")), Outcome::kBelowThreshold);  // A new window forgets the values.
}

TYPED_TEST(AlertStoreTest, DistinctValuesPastTheBoundAreNotCountedAndReportedDropped) {
  this->rule_->threshold_field = "objectRef.name";
  this->rule_->threshold = 2;
  this->options_.policy.max_distinct_values = 3;
  this->backend_ = std::make_unique<TypeParam>(this->options_);
  this->store_ = this->backend_->Replica();
  const auto record = [this](const std::string& v) {
    alert::MatchRecord m = this->Match(1);
    m.distinct_value = v;
    absl::StatusOr<alert::RecordResult> r = this->store_->Record(m);
    EXPECT_TRUE(r.ok()) << r.status();
    return r.ok() ? *r : alert::RecordResult();
  };
  EXPECT_FALSE(record("a").distinct_dropped);
  EXPECT_EQ(record("b").outcome, Outcome::kAlertOpened);
  EXPECT_FALSE(record("c").distinct_dropped);
  EXPECT_TRUE(record("d").distinct_dropped);   // New, and the set holds 3.
  EXPECT_FALSE(record("a").distinct_dropped);  // Already counted.
  EXPECT_FALSE(record("").distinct_dropped);   // No value: a match, nothing to count.
}

TYPED_TEST(AlertStoreTest, TwoReplicasCountingDistinctValuesAtOnceMakeOneAlert) {
  this->rule_->threshold_field = "objectRef.name";
  this->rule_->threshold = 15;
  std::vector<alert::MatchRecord> matches;
  for (int i = 0; i < 120; ++i) {  // 30 distinct names, each read 4 times.
    alert::MatchRecord m = this->Match(1);
    m.distinct_value = "secret-" + std::to_string(i % 30);
    matches.push_back(m);
  }
  const auto race = this->RecordOnTwoReplicasAtOnce(matches);
  EXPECT_EQ(race.errors, 0);
  EXPECT_EQ(race.opened, 1);
  alert::MatchRecord last = this->Match(2);
  last.distinct_value = "secret-0";
  alert::RecordResult r;
  ASSERT_NE(this->Record(last, &r), Outcome::kBelowThreshold);
  EXPECT_EQ(r.alert_id, alert::AlertId("Test.Rule", "k", kT0 + absl::Seconds(1)));
}

TYPED_TEST(AlertStoreTest, ABatchGivesWhatOneByOneGives) {
  this->options_.policy.update_interval = absl::Seconds(5);
  std::vector<alert::MatchRecord> matches;
  for (int i = 0; i < 60; ++i) {  // Three keys interleaved, 150 s: three 1-minute windows each, threshold 3.
    matches.push_back(this->Match(i * 2.5, "k" + std::to_string(i % 3), i % 7 == 0 ? Severity::kHigh : Severity::kLow));
  }
  TypeParam one_by_one_backend(this->options_), batch_backend(this->options_);
  std::shared_ptr<alert::AlertStore> one = one_by_one_backend.Replica(), batch = batch_backend.Replica();
  std::vector<absl::StatusOr<alert::RecordResult>> batched = batch->RecordBatch(matches);
  ASSERT_EQ(batched.size(), matches.size());
  int opened = 0;
  for (size_t i = 0; i < matches.size(); ++i) {
    absl::StatusOr<alert::RecordResult> single = one->Record(matches[i]);
    ASSERT_TRUE(single.ok() && batched[i].ok()) << i << ": " << single.status() << " / " << batched[i].status();
    EXPECT_EQ(batched[i]->outcome, single->outcome) << "match " << i;
    EXPECT_EQ(batched[i]->alert_id, single->alert_id) << "match " << i;
    ASSERT_EQ(batched[i]->emit.has_value(), single->emit.has_value()) << "match " << i;
    if (single->emit.has_value()) {
      EXPECT_EQ(batched[i]->emit->match_count, single->emit->match_count);
      EXPECT_EQ(batched[i]->emit->alert_context_json, single->emit->alert_context_json);
      EXPECT_EQ(batched[i]->emit->highest_severity, single->emit->highest_severity);
    }
    if (single->outcome == Outcome::kAlertOpened) ++opened;
  }
  EXPECT_EQ(opened, 9);  // Three keys, three windows each (the third has 4 matches).
}

// Event time going back across a window's end inside one batch: the window [0 s, 60 s) holds two matches
// (threshold 3); the batch brings 61 s (at or after the end: opens the next window), then 59 s (earlier than the
// new window's start, so it joins that window, as recording one by one places it, not the window that ended),
// then 62 s: the new window alerts with three matches. The Redis store sends a batch's matches in one pipeline
// and the 61 s match must wait for its opening fields; the 59 s one must wait behind it.
TYPED_TEST(AlertStoreTest, ABatchKeepsItsOrderWhenEventTimeGoesBackAcrossAWindowEnd) {
  EXPECT_EQ(this->Record(this->Match(0)), Outcome::kBelowThreshold);
  EXPECT_EQ(this->Record(this->Match(30)), Outcome::kBelowThreshold);
  std::vector<absl::StatusOr<alert::RecordResult>> r =
      this->store_->RecordBatch({this->Match(61), this->Match(59), this->Match(62)});
  ASSERT_EQ(r.size(), 3u);
  for (const auto& one : r) ASSERT_TRUE(one.ok()) << one.status();
  EXPECT_EQ(r[0]->outcome, Outcome::kBelowThreshold);
  EXPECT_EQ(r[1]->outcome, Outcome::kBelowThreshold);
  ASSERT_EQ(r[2]->outcome, Outcome::kAlertOpened);
  EXPECT_EQ(r[2]->alert_id, alert::AlertId("Test.Rule", "k", kT0 + absl::Seconds(61)));
  ASSERT_TRUE(r[2]->emit.has_value());
  EXPECT_EQ(r[2]->emit->match_count, 3);
  EXPECT_EQ(r[2]->emit->first_match_time, kT0 + absl::Seconds(59));
  EXPECT_EQ(r[2]->emit->window_start, kT0 + absl::Seconds(61));
}

TYPED_TEST(AlertStoreTest, OnlyTheMatchThatOpensAWindowRendersItsFields) {
  static std::atomic<int> renders{0};
  renders = 0;
  std::vector<alert::MatchRecord> matches;
  for (int i = 0; i < 10; ++i) {
    alert::MatchRecord m = this->Match(i);
    m.alert_context_json.clear();
    m.render_opener = [](const void*, std::string* ctx, std::string* sum) {
      renders.fetch_add(1);
      *ctx = R"({"rendered":true})";
      *sum = "{}";
    };
    matches.push_back(m);
  }
  std::vector<absl::StatusOr<alert::RecordResult>> first = this->store_->RecordBatch(
      std::vector<alert::MatchRecord>(matches.begin(), matches.begin() + 5));
  for (size_t i = 5; i < matches.size(); ++i) ASSERT_TRUE(this->store_->Record(matches[i]).ok());
  EXPECT_EQ(renders.load(), 1);
  ASSERT_TRUE(first[2].ok());
  ASSERT_TRUE(first[2]->emit.has_value());
  EXPECT_EQ(first[2]->emit->alert_context_json, R"({"rendered":true})");
}

TYPED_TEST(AlertStoreTest, FinalCountIsDueAfterTheIntervalDeliveredOnceAndBeforeTheNextWindow) {
  for (int s = 0; s < 3; ++s) this->Record(this->Match(s));  // Opens at the third (threshold 3).
  EXPECT_EQ(this->Record(this->Match(3)), Outcome::kAlertJoined);
  EXPECT_EQ(this->Record(this->Match(4)), Outcome::kAlertJoined);
  absl::StatusOr<std::vector<alert::AlertRecord>> none = this->store_->FlushDue(absl::Now());
  ASSERT_TRUE(none.ok()) << none.status();
  EXPECT_TRUE(none->empty()) << "due 10 s (the update interval) after the first undelivered match";
  absl::StatusOr<std::vector<alert::AlertRecord>> due = this->store_->FlushDue(absl::Now() + absl::Seconds(11));
  ASSERT_TRUE(due.ok()) << due.status();
  ASSERT_EQ(due->size(), 1u);
  EXPECT_EQ((*due)[0].state, alert::AlertState::kUpdated);
  EXPECT_EQ((*due)[0].match_count, 5);
  EXPECT_EQ((*due)[0].last_match_time, kT0 + absl::Seconds(4));
  EXPECT_EQ((*due)[0].alert_id, alert::AlertId("Test.Rule", "k", kT0));
  EXPECT_EQ((*due)[0].rule->id, "Test.Rule");
  EXPECT_TRUE(this->store_->FlushDue(absl::Now() + absl::Seconds(11))->empty()) << "delivered once";
  // One more undelivered match, then the next window opens: the old window's final count comes with it.
  EXPECT_EQ(this->Record(this->Match(5)), Outcome::kAlertJoined);
  alert::RecordResult r;
  EXPECT_EQ(this->Record(this->Match(60), &r), Outcome::kBelowThreshold);
  ASSERT_TRUE(r.final_update.has_value());
  EXPECT_EQ(r.final_update->match_count, 6);
  EXPECT_EQ(r.final_update->alert_id, alert::AlertId("Test.Rule", "k", kT0));
  EXPECT_TRUE(this->store_->FlushDue(absl::Now() + absl::Seconds(11))->empty());
}

class RedisStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!RedisEnv::Get().ok()) GTEST_SKIP() << "redis-server not installed or did not start";
    options_.redis_prefix = RedisEnv::Get().NextPrefix();
    options_.redis_partitions = 1;
    address_ = *ParseRedisUrl(RedisEnv::Get().url());
  }
  // A match of `rule` (id "R", a 2-minute window) for key "k" at kT0.
  static alert::MatchRecord MatchOf(std::shared_ptr<alert::RuleMeta> rule) {
    rule->id = "R";
    rule->dedup_period_minutes = 2;
    alert::MatchRecord m;
    m.rule = std::move(rule);
    m.dedup = "k";
    m.time = kT0;
    return m;
  }
  AlertOptions options_;  // A fresh key prefix and one partition: every key carries the {p0} hash tag.
  RedisAddress address_;
};

TEST_F(RedisStoreTest, UnreachableRedisFailsFastWithUnavailable) {
  RedisAddress nowhere;
  nowhere.unix_path = "/nonexistent/redis.sock";
  RedisAlertStore store(nowhere, AlertOptions{});
  alert::MatchRecord m;
  m.rule = std::make_shared<alert::RuleMeta>();
  m.time = kT0;
  const absl::Time start = absl::Now();
  absl::StatusOr<alert::RecordResult> r = store.Record(m);
  EXPECT_EQ(r.status().code(), absl::StatusCode::kUnavailable) << r.status();
  EXPECT_LT(absl::Now() - start, absl::Seconds(2));
}

TEST_F(RedisStoreTest, OpenedAlertIsAppendedToItsPartitionStreamAndKeysExpire) {
  RedisAlertStore store(address_, options_);
  ASSERT_EQ(store.Record(MatchOf(std::make_shared<alert::RuleMeta>()))->outcome, Outcome::kAlertOpened);
  RedisConnection c(address_, absl::Seconds(1));
  EXPECT_EQ(ReplyText(c.Command({"XLEN", RedisAlertStore::StreamKey(options_.redis_prefix, 0)})->get()), "1");
  absl::StatusOr<RedisReply> keys = c.Command({"KEYS", options_.redis_prefix + ":{p0}:w:*"});
  ASSERT_TRUE(keys.ok());
  ASSERT_EQ((*keys)->elements, 1u);
  const int64_t ttl_ms = std::stoll(ReplyText(c.Command(std::vector<std::string>{"PTTL", ReplyText((*keys)->element[0])})->get()));
  EXPECT_GT(ttl_ms, 60 * 1000);  // The window (2 min) plus a minute of grace.
  EXPECT_LE(ttl_ms, 3 * 60 * 1000);
}

TEST_F(RedisStoreTest, DistinctSetSharesTheWindowsHashSlotAndExpiryAndHoldsFingerprints) {
  RedisAlertStore store(address_, options_);
  auto rule = std::make_shared<alert::RuleMeta>();
  rule->threshold = 15;
  rule->threshold_field = "objectRef.name";
  alert::MatchRecord m = MatchOf(rule);
  m.distinct_value = "db-credentials";
  ASSERT_EQ(store.Record(m)->outcome, Outcome::kBelowThreshold);
  RedisConnection c(address_, absl::Seconds(1));
  absl::StatusOr<RedisReply> keys = c.Command({"KEYS", options_.redis_prefix + ":{p0}:d:*"});
  ASSERT_TRUE(keys.ok());
  ASSERT_EQ((*keys)->elements, 1u) << "the distinct set carries the window's {p0} hash tag";
  const std::string set_key = ReplyText((*keys)->element[0]);
  absl::StatusOr<RedisReply> members = c.Command({"SMEMBERS", set_key});
  ASSERT_TRUE(members.ok());
  ASSERT_EQ((*members)->elements, 1u);
  EXPECT_EQ(ReplyText((*members)->element[0]).size(), 16u) << "a 64-bit fingerprint in hex, not the value";
  const int64_t ttl_ms = std::stoll(ReplyText(c.Command(std::vector<std::string>{"PTTL", set_key})->get()));
  EXPECT_GT(ttl_ms, 60 * 1000);
  EXPECT_LE(ttl_ms, 3 * 60 * 1000);
}

}  // namespace
}  // namespace detect::server
