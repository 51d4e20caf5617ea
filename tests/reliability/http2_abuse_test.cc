// HTTP/2 abuse against a real detectd: the rapid-reset flood (CVE-2023-44487), streams opened for
// StreamEvaluate and reset at once by RST_STREAM(CANCEL), many thousands a second on one connection. Stream
// slots must not leak (a stream reset before its first message never holds one), memory must come back down
// once the attacker has gone, and legitimate streams must be served right after. docs/reliability.md has the
// figures and what only gRPC 1.51 itself bounds.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <thread>

#include "gtest/gtest.h"
#include "tests/reliability/detectd_process.h"
#include "tests/reliability/load_client.h"
#include "tests/reliability/raw_http2.h"
#include "tests/reliability/rss_sampler.h"

namespace detect::test_support {
namespace {

using Clock = std::chrono::steady_clock;

// One connection sends DETECT_RAPID_RESET_PAIRS (CI: 50,000) HEADERS+RST_STREAM pairs for StreamEvaluate in
// bursts of 1,000, then goes away. Afterwards, within bounded time: no stream slot is held, RSS is back within
// 64 MiB of where it started, and a legitimate stream is served in full.
TEST(Http2AbuseTest, RapidResetFloodLeavesNoSlotsOrMemoryBehind) {
  const int pairs = static_cast<int>(EnvOr("DETECT_RAPID_RESET_PAIRS", 50000));
  std::string error;
  std::unique_ptr<DetectdProcess> detectd = DetectdProcess::Start({"--rules=rules"}, &error);
  ASSERT_NE(detectd, nullptr) << error;
  const std::vector<PoolEvent> pool = EventPool("rules", 64);
  const long start_kb = detectd->RssKb();
  long peak_kb = 0;
  const auto attack_start = Clock::now();
  double attack_seconds = 0;
  {
    RssSampler sampler(*detectd);
    RawHttp2Connection attacker(detectd->port());
    ASSERT_TRUE(attacker.connected());
    RawHttp2Connection::Frame first;
    ASSERT_TRUE(attacker.ReadFrame(&first));  // The server's SETTINGS, acknowledged.
    std::thread drain([&] { attacker.DrainUntilClosed(); });
    uint32_t stream = 1;
    for (int sent = 0; sent < pairs; sent += 1000) {
      stream = attacker.SendRapidResets(stream, std::min(1000, pairs - sent), "/detect.v1.DetectionService/StreamEvaluate");
    }
    attack_seconds = std::chrono::duration<double>(Clock::now() - attack_start).count();
    attacker.ShutdownWrite();
    drain.join();  // The server closes its side after our EOF.
    peak_kb = sampler.peak_kb();
  }
  const auto left_at = Clock::now();
  EXPECT_TRUE(Eventually([&] { return detectd->Metric("detectd_streams_in_flight") == 0; }, std::chrono::seconds(60)))
      << detectd->Metric("detectd_streams_in_flight") << " stream slots still held after the attacker left";
  const long bound_kb = start_kb + (64 << 10);
  if (!kSanitizerBuild) {
    EXPECT_TRUE(Eventually([&] { return detectd->RssKb() <= bound_kb; }, std::chrono::seconds(60)))
        << "RSS " << detectd->RssKb() << " KiB, started at " << start_kb << " KiB; metrics:\n" << detectd->Metrics();
  }
  const double settle_seconds = std::chrono::duration<double>(Clock::now() - left_at).count();
  // A legitimate client is served in full.
  auto stub = v1::DetectionService::NewStub(detectd->Channel());
  BatchMaker maker(pool, "legit-", 7);
  Account a;
  const grpc::Status status = RunStream(*stub, maker, 20, [] { return true; }, ExpectEngineResults(), a);
  EXPECT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(a.wrong, 0u) << a.first_problem;
  EXPECT_EQ(a.batches_answered, 20u);
  const double reset_early = detectd->Metric("detectd_streams_reset_before_first_message_total");
  EXPECT_GT(reset_early, 0) << "the flood's streams are counted";
  EXPECT_TRUE(detectd->Running());
  std::printf("RAPID_RESET pairs=%d sent_in=%.1f s rss_start=%ld KiB peak=%ld KiB after=%ld KiB (settled in %.1f s) "
              "reset_before_first_message=%.0f\n",
              pairs, attack_seconds, start_kb, peak_kb, detectd->RssKb(), settle_seconds, reset_early);
}

}  // namespace
}  // namespace detect::test_support
