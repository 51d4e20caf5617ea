// WatchAlerts: the in-process ring (ids, resume, gap), the Redis feed over a real redis-server started on a Unix
// socket (every partition, resume without loss, a trimmed log reported as missed), and the gRPC stream on
// 127.0.0.1:0: live alerts in order and resume, the watcher limit, a watcher that does not read (bounded
// queue, then told what it missed), shutdown ending the stream with UNAVAILABLE, and bad ids.
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "alert/alert.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "grpcpp/security/server_credentials.h"
#include "grpcpp/server.h"
#include "grpcpp/server_builder.h"
#include "gtest/gtest.h"
#include "server/alerts/alert_feed.h"
#include "server/alerts/redis_alert_feed.h"
#include "server/alerts/redis_store.h"
#include "server/service.h"
#include "server/watch_reactor.h"
#include "tests/testing/test_files.h"
#include "tests/testing/eventually.h"
#include "tests/testing/redis_server.h"

namespace detect::server {
namespace {

using ::detect::test_support::Eventually;

const absl::Time kT0 = absl::FromUnixSeconds(1700000000);

std::shared_ptr<const alert::RuleMeta> TestRule() {
  static const auto* rule = [] {
    auto* r = new std::shared_ptr<alert::RuleMeta>(std::make_shared<alert::RuleMeta>());
    (*r)->id = "Test.Rule";
    (*r)->runbook = "look";
    return r;
  }();
  return *rule;
}

alert::AlertRecord MakeAlert(int i, size_t pad = 0) {
  alert::AlertRecord a;
  a.rule = TestRule();
  a.dedup = absl::StrCat("k", i);
  a.title = absl::StrCat("title ", i);
  a.severity = Severity::kHigh;
  a.highest_severity = Severity::kHigh;
  a.window_start = kT0 + absl::Seconds(i);
  a.window_end = a.window_start + absl::Hours(1);
  a.first_match_time = a.last_match_time = a.window_start;
  a.match_count = 1;
  a.alert_id = alert::AlertId(a.rule->id, a.dedup, a.window_start);
  a.alert_context_json = absl::StrCat("{\"pad\":\"", std::string(pad, 'x'), "\"}");
  return a;
}

std::vector<WatchedAlert> Drain(FeedCursor& c, bool* missed = nullptr) {
  std::vector<WatchedAlert> out;
  for (;;) {
    absl::StatusOr<WatchBatch> b = c.Next(1000, absl::Milliseconds(50));
    EXPECT_TRUE(b.ok()) << b.status();
    if (!b.ok() || b->alerts.empty()) return out;
    if (missed != nullptr && b->missed) *missed = true;
    out.insert(out.end(), b->alerts.begin(), b->alerts.end());
  }
}

std::vector<std::string> Dedups(const std::vector<WatchedAlert>& alerts) {
  std::vector<std::string> out;
  for (const WatchedAlert& w : alerts) out.push_back(w.alert.dedup);
  return out;
}

TEST(AlertRingTest, IdsIncreaseAndAWatcherResumesAfterAnId) {
  AlertRing ring(8);
  for (int i = 0; i < 5; ++i) ring.Append(MakeAlert(i));
  std::vector<WatchedAlert> all = Drain(**ring.Open("0"));
  ASSERT_EQ(Dedups(all), (std::vector<std::string>{"k0", "k1", "k2", "k3", "k4"}));
  EXPECT_EQ(all[0].log_id.rfind("mem-", 0), 0u) << all[0].log_id;
  EXPECT_NE(all[0].log_id, all[1].log_id);
  EXPECT_EQ(Dedups(Drain(**ring.Open(all[1].log_id))), (std::vector<std::string>{"k2", "k3", "k4"}));
  std::unique_ptr<FeedCursor> live = *ring.Open("");
  EXPECT_TRUE(Drain(*live).empty());
  ring.Append(MakeAlert(5));
  EXPECT_EQ(Dedups(Drain(*live)), (std::vector<std::string>{"k5"}));
}

TEST(AlertRingTest, AResumeOlderThanTheRingStartsAtTheOldestKeptAndSaysSo) {
  AlertRing ring(4);
  ring.Append(MakeAlert(0));
  const std::string first = Drain(**ring.Open("0"))[0].log_id;
  std::unique_ptr<FeedCursor> slow = *ring.Open("");
  for (int i = 1; i < 10; ++i) ring.Append(MakeAlert(i));
  bool missed = false;
  EXPECT_EQ(Dedups(Drain(**ring.Open(first), &missed)), (std::vector<std::string>{"k6", "k7", "k8", "k9"}));
  EXPECT_TRUE(missed);
  missed = false;
  EXPECT_EQ(Drain(*slow, &missed).size(), 4u);  // A cursor the ring overtook learns it too.
  EXPECT_TRUE(missed);
  missed = false;
  EXPECT_EQ(Drain(**ring.Open("mem-1-3"), &missed).size(), 4u);  // An earlier process's id.
  EXPECT_TRUE(missed);
  missed = false;
  EXPECT_EQ(Drain(**ring.Open("0"), &missed).size(), 4u);
  EXPECT_FALSE(missed);
  EXPECT_TRUE(absl::IsInvalidArgument(ring.Open("p3-1-0").status()));
  EXPECT_TRUE(absl::IsInvalidArgument(ring.Open("mem-x").status()));
}

// --- Redis ---

class RedisFeedTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!::detect::test_support::RedisServer::available() || !redis_.Start()) {
      GTEST_SKIP() << "redis-server not installed or did not start";
    }
    options_.redis_prefix = "watch";
    options_.redis_partitions = 4;
    address_ = *ParseRedisUrl(redis_.url());
    store_ = std::make_unique<RedisAlertStore>(address_, options_);
  }
  // One match of a new key: an alert (threshold 1) appended to its partition's stream.
  void Alert(int i) {
    alert::MatchRecord m;
    m.rule = TestRule();
    m.dedup = absl::StrCat("k", i);
    m.title = "t";
    m.event_id = absl::StrCat("e", i);
    m.time = kT0 + absl::Seconds(i);
    absl::StatusOr<alert::RecordResult> r = store_->Record(m);
    ASSERT_TRUE(r.ok()) << r.status();
    ASSERT_EQ(r->outcome, alert::Outcome::kAlertOpened);
  }

  ::detect::test_support::TempDir dir_;
  ::detect::test_support::RedisServer redis_{dir_.path()};
  AlertOptions options_;
  RedisAddress address_;
  std::unique_ptr<RedisAlertStore> store_;
};

TEST_F(RedisFeedTest, ReadsEveryPartitionAndResumesWithoutLoss) {
  for (int i = 0; i < 40; ++i) Alert(i);
  RedisAlertFeed feed(address_, options_);
  std::vector<WatchedAlert> all = Drain(**feed.Open("0"));
  ASSERT_EQ(all.size(), 40u);
  std::set<std::string> partitions, dedups;
  for (const WatchedAlert& w : all) {
    partitions.insert(w.log_id.substr(0, w.log_id.find('-')));
    dedups.insert(w.alert.dedup);
    EXPECT_EQ(w.alert.rule->id, "Test.Rule");
    EXPECT_EQ(w.alert.match_count, 1);
  }
  EXPECT_EQ(partitions.size(), 4u);
  EXPECT_EQ(dedups.size(), 40u);
  // Resume after the 20th: everything after it comes (alerts of the same millisecond may repeat).
  bool missed = false;
  std::vector<WatchedAlert> rest = Drain(**feed.Open(all[19].log_id), &missed);
  EXPECT_FALSE(missed);
  std::set<std::string> got;
  for (const WatchedAlert& w : rest) got.insert(w.alert.alert_id);
  for (size_t i = 20; i < all.size(); ++i) EXPECT_TRUE(got.count(all[i].alert.alert_id)) << all[i].log_id;
  EXPECT_FALSE(got.count(all[19].alert.alert_id) && all[19].log_id == rest.front().log_id);
  // Only new alerts.
  std::unique_ptr<FeedCursor> live = *feed.Open("");
  EXPECT_TRUE(Drain(*live).empty());
  Alert(100);
  EXPECT_EQ(Dedups(Drain(*live)), (std::vector<std::string>{"k100"}));
  EXPECT_TRUE(absl::IsInvalidArgument(feed.Open("mem-1-2").status()));
  EXPECT_TRUE(absl::IsInvalidArgument(feed.Open("p9-1-0").status()));
}

TEST_F(RedisFeedTest, AResumeIntoATrimmedLogIsReportedAsMissed) {
  options_.redis_partitions = 1;
  store_ = std::make_unique<RedisAlertStore>(address_, options_);
  for (int i = 0; i < 5; ++i) Alert(i);
  RedisAlertFeed feed(address_, options_);
  const std::string first = Drain(**feed.Open("0")).front().log_id;
  RedisConnection c(address_, absl::Seconds(1));
  ASSERT_TRUE(c.Command({"XTRIM", RedisAlertStore::StreamKey("watch", 0), "MAXLEN", "0"}).ok());
  Alert(5);
  bool missed = false;
  EXPECT_EQ(Dedups(Drain(**feed.Open(first), &missed)), (std::vector<std::string>{"k5"}));
  EXPECT_TRUE(missed);
}

// --- gRPC ---

class WatchServer {
 public:
  WatchServer(AlertFeed* feed, WatchOptions options) : hub_(feed, options), service_(nullptr, nullptr, {}) {
    service_.set_watch_hub(&hub_);
    grpc::ServerBuilder b;
    b.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &port_);
    b.RegisterService(&service_);
    server_ = b.BuildAndStart();
    stub_ = v1::DetectionService::NewStub(
        grpc::CreateChannel(absl::StrCat("127.0.0.1:", port_), grpc::InsecureChannelCredentials()));
  }
  ~WatchServer() {
    hub_.Shutdown();
    server_->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(2));
    server_->Wait();
  }
  std::unique_ptr<grpc::ClientReader<v1::WatchAlertsResponse>> Watch(grpc::ClientContext* ctx,
                                                                     const std::string& since) {
    v1::WatchAlertsRequest req;
    req.set_since_log_id(since);
    ctx->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(60));
    return stub_->WatchAlerts(ctx, req);
  }
  WatchHub& hub() { return hub_; }

 private:
  WatchHub hub_;
  DetectionService service_;
  int port_ = 0;
  std::unique_ptr<grpc::Server> server_;
  std::unique_ptr<v1::DetectionService::Stub> stub_;
};

TEST(WatchAlertsTest, LiveAlertsInOrderThenResumeAfterTheLastOneRead) {
  AlertRing ring(100);
  WatchServer server(&ring, WatchOptions{});
  grpc::ClientContext ctx;
  auto reader = server.Watch(&ctx, "");
  reader->WaitForInitialMetadata();
  for (int i = 0; i < 5; ++i) ring.Append(MakeAlert(i));
  std::vector<v1::WatchAlertsResponse> got(5);
  for (auto& r : got) ASSERT_TRUE(reader->Read(&r));
  for (int i = 0; i < 5; ++i) {
    const v1::Alert& a = got[i].alert();
    EXPECT_EQ(a.dedup(), absl::StrCat("k", i));
    EXPECT_EQ(a.alert_id(), MakeAlert(i).alert_id);
    EXPECT_EQ(a.rule_id(), "Test.Rule");
    EXPECT_EQ(a.severity(), v1::SEVERITY_HIGH);
    EXPECT_EQ(a.state(), v1::ALERT_STATE_OPENED);
    EXPECT_EQ(a.window_start().seconds(), 1700000000 + i);
    EXPECT_EQ(a.runbook(), "look");
    EXPECT_FALSE(got[i].missed_alerts());
  }
  ctx.TryCancel();
  EXPECT_EQ(reader->Finish().error_code(), grpc::StatusCode::CANCELLED);

  grpc::ClientContext ctx2;
  auto resumed = server.Watch(&ctx2, got[2].log_id());
  v1::WatchAlertsResponse r;
  ASSERT_TRUE(resumed->Read(&r));
  EXPECT_EQ(r.alert().dedup(), "k3");
  ASSERT_TRUE(resumed->Read(&r));
  EXPECT_EQ(r.alert().dedup(), "k4");
  ctx2.TryCancel();
  resumed->Finish();
}

TEST(WatchAlertsTest, WatchersBeyondTheLimitAreRefusedAndCounted) {
  AlertRing ring(10);
  WatchOptions o;
  o.max_watchers = 2;
  WatchServer server(&ring, o);
  grpc::ClientContext c1, c2, c3, c4;
  auto w1 = server.Watch(&c1, "");
  auto w2 = server.Watch(&c2, "");
  w1->WaitForInitialMetadata();
  w2->WaitForInitialMetadata();
  EXPECT_EQ(server.hub().metrics().watchers.load(), 2);
  auto w3 = server.Watch(&c3, "");
  v1::WatchAlertsResponse r;
  EXPECT_FALSE(w3->Read(&r));
  const grpc::Status refused = w3->Finish();
  EXPECT_EQ(refused.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_NE(refused.error_message().find("--alert_watch_max_watchers is 2"), std::string::npos)
      << refused.error_message();
  EXPECT_EQ(server.hub().metrics().refused.load(), 1u);
  c1.TryCancel();
  w1->Finish();
  ASSERT_TRUE(Eventually([&] { return server.hub().metrics().watchers.load() == 1; }));
  auto w4 = server.Watch(&c4, "");
  w4->WaitForInitialMetadata();
  ring.Append(MakeAlert(7));
  ASSERT_TRUE(w4->Read(&r));
  EXPECT_EQ(r.alert().dedup(), "k7");
  c2.TryCancel();
  c4.TryCancel();
  w2->Finish();
  w4->Finish();
}

TEST(WatchAlertsTest, AWatcherThatDoesNotReadIsBoundedThenToldWhatItMissed) {
  AlertRing ring(500);
  WatchOptions o;
  o.max_queued_bytes = 64 << 10;
  WatchServer server(&ring, o);
  grpc::ClientContext ctx;
  auto reader = server.Watch(&ctx, "");
  reader->WaitForInitialMetadata();
  constexpr int kAlerts = 8000;
  for (int i = 0; i < kAlerts; ++i) ring.Append(MakeAlert(i, 2048));  // About 17 MB: more than gRPC's buffers hold.
  ASSERT_TRUE(Eventually([&] { return server.hub().metrics().throttled.load() > 0; }))
      << "the watcher's queue never filled";
  // The bound: max_queued_bytes plus one response (the one that crossed it).
  EXPECT_LE(server.hub().metrics().queued_bytes.load(), (64 << 10) + 2300);
  int missed = 0, n = 0, last = -1;
  v1::WatchAlertsResponse r;
  while (last < kAlerts - 1 && reader->Read(&r)) {
    const int i = std::stoi(r.alert().dedup().substr(1));
    EXPECT_GT(i, last) << "out of order at " << r.log_id();
    if (r.missed_alerts()) ++missed;
    last = i;
    ++n;
  }
  EXPECT_EQ(last, kAlerts - 1);
  EXPECT_GE(missed, 1) << "the ring (500) dropped alerts the watcher had not read: it must be told";
  EXPECT_LT(n, kAlerts);
  EXPECT_EQ(server.hub().metrics().missed.load(), static_cast<uint64_t>(missed));
  ctx.TryCancel();
  reader->Finish();
}

TEST(WatchAlertsTest, ShutdownEndsTheStreamWithUnavailableAndTheIdToResumeFrom) {
  AlertRing ring(10);
  WatchServer server(&ring, WatchOptions{});
  grpc::ClientContext ctx;
  auto reader = server.Watch(&ctx, "");
  reader->WaitForInitialMetadata();
  ring.Append(MakeAlert(1));
  v1::WatchAlertsResponse r;
  ASSERT_TRUE(reader->Read(&r));
  const absl::Time start = absl::Now();
  std::thread stop([&] { server.hub().Shutdown(); });
  EXPECT_FALSE(reader->Read(&r));
  const grpc::Status s = reader->Finish();
  stop.join();
  EXPECT_EQ(s.error_code(), grpc::StatusCode::UNAVAILABLE);
  EXPECT_NE(s.error_message().find(r.log_id()), std::string::npos) << s.error_message();
  EXPECT_LT(absl::Now() - start, absl::Seconds(10));
  grpc::ClientContext late;
  auto after = server.Watch(&late, "");
  EXPECT_FALSE(after->Read(&r));
  EXPECT_EQ(after->Finish().error_code(), grpc::StatusCode::UNAVAILABLE);
}

TEST(WatchAlertsTest, BadIdsAndAlertingOffAreErrors) {
  AlertRing ring(10);
  WatchServer server(&ring, WatchOptions{});
  grpc::ClientContext ctx;
  auto reader = server.Watch(&ctx, "not-an-id");
  v1::WatchAlertsResponse r;
  EXPECT_FALSE(reader->Read(&r));
  const grpc::Status s = reader->Finish();
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(s.error_message().find("not-an-id"), std::string::npos) << s.error_message();

  DetectionService off(nullptr, nullptr, {});  // No hub: alerting is off.
  grpc::ServerBuilder b;
  int port = 0;
  b.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &port);
  b.RegisterService(&off);
  std::unique_ptr<grpc::Server> srv = b.BuildAndStart();
  auto stub = v1::DetectionService::NewStub(
      grpc::CreateChannel(absl::StrCat("127.0.0.1:", port), grpc::InsecureChannelCredentials()));
  grpc::ClientContext c2;
  auto off_reader = stub->WatchAlerts(&c2, v1::WatchAlertsRequest());
  EXPECT_FALSE(off_reader->Read(&r));
  EXPECT_EQ(off_reader->Finish().error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  srv->Shutdown();
}

}  // namespace
}  // namespace detect::server
