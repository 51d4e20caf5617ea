// Soak: a real detectd (the built binary) takes generated events over many concurrent StreamEvaluate streams
// for a fixed time. Every event must get exactly one result, carrying its id, equal to the engine's verdict in
// this process (rule ids, severities, titles, dedup strings); the server's RSS must stay flat (< 10% growth from
// the first third of the run to its end) and its open descriptors must not grow, and return to their idle count
// once the clients leave.
//
// CI runs it for 30 s with 16 streams over 4 connections. Longer: DETECT_SOAK_SECONDS=900 build/tests/soak_test
// (from the repository root); DETECT_SOAK_STREAMS changes the number of streams.
#include <signal.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <thread>

#include "gtest/gtest.h"
#include "tests/reliability/detectd_process.h"
#include "tests/reliability/load_client.h"
#include "tests/reliability/reliability_events.h"

namespace detect::test_support {
namespace {

using Clock = std::chrono::steady_clock;

// One worker: streams one after another until `end`, each for a random number of batches (20-419) of 1-64
// events, typed or raw at random, at most 8 in flight; every response checked against the pool.
void StreamWorker(std::shared_ptr<grpc::Channel> channel, const std::vector<PoolEvent>& pool,
                  const std::string& version, int worker, Clock::time_point end, Account& a, uint64_t& typed) {
  auto stub = v1::DetectionService::NewStub(std::move(channel));
  BatchMaker maker(pool, absl::StrCat("w", worker, "-"), static_cast<uint32_t>(worker) * 7919u + 1u);
  const ResponseCheck check = ExpectEngineResults(version);
  const auto deadline = std::chrono::duration_cast<std::chrono::seconds>(end - Clock::now()) + std::chrono::seconds(60);
  while (Clock::now() < end) {
    const int batches = 20 + static_cast<int>(maker.Random() % 400);
    const grpc::Status status =
        RunStream(*stub, maker, batches, [end] { return Clock::now() < end; }, check, a, deadline);
    if (!status.ok()) {
      a.Problem("stream ended with " + status.error_message());
      break;
    }
  }
  typed = maker.typed_events();
}

struct Sample {
  double seconds;
  long rss_kb;
  int fds;
  int threads;
};

TEST(SoakTest, EveryEventAnsweredOnceAsTheEngineDoesWithFlatMemoryAndDescriptors) {
  const double seconds = EnvOr("DETECT_SOAK_SECONDS", 30);
  const int streams = static_cast<int>(EnvOr("DETECT_SOAK_STREAMS", 16));
  constexpr int kChannels = 4;  // Streams share connections: their messages interleave on each.
  const std::vector<PoolEvent> pool = EventPool("rules");
  size_t typed = 0, matching = 0;
  for (const PoolEvent& e : pool) {
    typed += e.typed.empty() ? 0 : 1;
    matching += e.expected.empty() ? 0 : 1;
  }
  ASSERT_GT(matching, pool.size() / 10) << "the pool should exercise the rules";

  std::string error;
  std::unique_ptr<DetectdProcess> detectd = DetectdProcess::Start({"--rules=rules"}, &error);
  ASSERT_NE(detectd, nullptr) << error;
  const int idle_fds = detectd->FdCount();
  const long idle_rss = detectd->RssKb();
  std::vector<std::shared_ptr<grpc::Channel>> channels;
  for (int i = 0; i < kChannels; ++i) {
    grpc::ChannelArguments args;
    args.SetInt("detect.soak.channel", i);  // Distinct arguments: distinct connections.
    channels.push_back(detectd->Channel(nullptr, args));
  }
  v1::ListRulesResponse rules;
  {
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    ASSERT_TRUE(v1::DetectionService::NewStub(channels[0])->ListRules(&ctx, {}, &rules).ok());
  }

  const Clock::time_point start = Clock::now();
  const Clock::time_point end =
      start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds));
  std::vector<Account> accounts(static_cast<size_t>(streams));
  std::vector<uint64_t> typed_sent(static_cast<size_t>(streams));
  std::vector<std::thread> workers;
  for (int w = 0; w < streams; ++w) {
    workers.emplace_back([&, w] {
      StreamWorker(channels[static_cast<size_t>(w % kChannels)], pool, rules.rule_set_version(), w, end,
                   accounts[static_cast<size_t>(w)], typed_sent[static_cast<size_t>(w)]);
    });
  }
  std::vector<Sample> samples;
  std::atomic<bool> load_done{false};
  std::thread sampler([&] {
    while (!load_done) {
      samples.push_back({std::chrono::duration<double>(Clock::now() - start).count(), detectd->RssKb(),
                         detectd->FdCount(), detectd->Threads()});
      std::this_thread::sleep_for(std::chrono::milliseconds(250));
    }
  });
  for (std::thread& t : workers) t.join();
  load_done = true;
  sampler.join();
  const double elapsed = std::chrono::duration<double>(Clock::now() - start).count();

  Account total;
  uint64_t typed_events = 0;
  for (size_t w = 0; w < accounts.size(); ++w) {
    total.Merge(accounts[w]);
    typed_events += typed_sent[w];
  }
  EXPECT_EQ(total.wrong, 0u) << total.first_problem;
  EXPECT_EQ(total.calls_ok, total.calls) << "status codes " << total.Codes() << ": " << total.first_problem;
  EXPECT_EQ(total.silently_lost + total.unanswered, 0u) << total.first_problem;
  EXPECT_EQ(total.events_answered, total.events_sent);
  EXPECT_GT(total.events_answered, 10000u) << "too little load to mean anything";

  // The server's own count: every event evaluated once, every stream finished OK, none left open.
  EXPECT_TRUE(Eventually([&] { return detectd->Metric("detectd_streams_in_flight") == 0; }));
  EXPECT_EQ(detectd->Metric("detectd_events_evaluated_total{method=\"StreamEvaluate\"}"),
            static_cast<double>(total.events_answered));
  EXPECT_TRUE(Eventually([&] {
    return detectd->Metric("detectd_calls_total{method=\"StreamEvaluate\",code=\"OK\"}") ==
           static_cast<double>(total.calls);
  })) << detectd->Metric("detectd_calls_total{method=\"StreamEvaluate\",code=\"OK\"}") << " streams OK, "
      << total.calls << " opened";

  // Memory and descriptors: the sample at one third of the run against the last one under load.
  ASSERT_GE(samples.size(), 8u);
  const auto third = std::find_if(samples.begin(), samples.end(),
                                  [&](const Sample& s) { return s.seconds >= seconds / 3; });
  ASSERT_NE(third, samples.end());
  const Sample& last = samples.back();
  long peak_rss = 0;
  int peak_fds = 0, peak_threads = 0;
  for (const Sample& s : samples) {
    peak_rss = std::max(peak_rss, s.rss_kb);
    peak_fds = std::max(peak_fds, s.fds);
    peak_threads = std::max(peak_threads, s.threads);
  }
  const double growth = static_cast<double>(last.rss_kb - third->rss_kb) / static_cast<double>(third->rss_kb);
  if (!kSanitizerBuild) {
    EXPECT_LT(growth, 0.10) << "RSS " << third->rss_kb << " KiB at " << third->seconds << " s, " << last.rss_kb
                            << " KiB at " << last.seconds << " s";
  }
  // Two descriptors may come and go between samples without a leak: the listener watchdog's probe (its socket
  // and the one gRPC accepted for it, every --listener_check_seconds). A leak per stream call would show as
  // dozens over the run's calls, and the check after the clients leave (back to idle) is exact.
  constexpr int kTransientFds = 2;
  EXPECT_LE(last.fds, third->fds + kTransientFds) << "descriptors grew under steady load";

  channels.clear();  // The clients leave: the server's connections close.
  EXPECT_TRUE(Eventually([&] { return detectd->FdCount() == idle_fds; }))
      << "descriptors after the clients left: " << detectd->FdCount() << ", idle: " << idle_fds;
  const int final_fds = detectd->FdCount();
  const long final_rss = detectd->RssKb();

  ASSERT_TRUE(detectd->Signal(SIGTERM));
  ASSERT_TRUE(detectd->WaitExit(std::chrono::seconds(30)));
  EXPECT_EQ(detectd->exit_status(), 0);

  std::printf(
      "SOAK seconds=%.1f streams=%d connections=%d stream_calls=%llu batches=%llu events=%llu "
      "events_per_second=%.0f typed_events=%llu matches=%llu wrong=%llu lost=%llu failed_calls=%llu\n"
      "SOAK latency_ms_per_batch (write to response, up to 8 in flight per stream) p50=%.2f p99=%.2f max=%.2f\n"
      "SOAK pool=%zu (typed form for %zu, matching %zu) rss_kb idle=%ld at_third=%ld (t=%.1fs) end=%ld (t=%.1fs) "
      "peak=%ld after=%ld growth=%.2f%% fds idle=%d at_third=%d end=%d peak=%d after=%d threads at_third=%d "
      "end=%d peak=%d\n",
      elapsed, streams, kChannels, static_cast<unsigned long long>(total.calls),
      static_cast<unsigned long long>(total.batches_answered), static_cast<unsigned long long>(total.events_answered),
      static_cast<double>(total.events_answered) / elapsed, static_cast<unsigned long long>(typed_events),
      static_cast<unsigned long long>(total.matches), static_cast<unsigned long long>(total.wrong),
      static_cast<unsigned long long>(total.silently_lost + total.unanswered),
      static_cast<unsigned long long>(total.calls - total.calls_ok), total.LatencyPercentile(0.5),
      total.LatencyPercentile(0.99), total.LatencyPercentile(1.0), pool.size(), typed, matching, idle_rss,
      third->rss_kb, third->seconds, last.rss_kb, last.seconds, peak_rss, final_rss, growth * 100, idle_fds,
      third->fds, last.fds, peak_fds, final_fds, third->threads, last.threads, peak_threads);
}

}  // namespace
}  // namespace detect::test_support
