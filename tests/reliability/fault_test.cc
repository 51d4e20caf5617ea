// Faults against a real detectd (the built binary): clients that vanish mid-batch, clients that never read,
// SIGTERM under load, rule reloads every second under load, and a rules directory that disappears, turns into a
// file and comes back. Each test states the guarantee it checks; docs/reliability.md has the figures.
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <utime.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "absl/cleanup/cleanup.h"
#include "absl/strings/match.h"
#include "gtest/gtest.h"
#include "tests/reliability/detectd_process.h"
#include "tests/reliability/load_client.h"
#include "tests/reliability/raw_http2.h"
#include "tests/testing/test_files.h"

namespace detect::test_support {
namespace {

using Clock = std::chrono::steady_clock;
namespace fs = std::filesystem;

int Occurrences(const std::string& text, const std::string& needle) {
  int n = 0;
  for (size_t at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) ++n;
  return n;
}

class FaultTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { pool_ = new std::vector<PoolEvent>(EventPool("rules")); }
  static void TearDownTestSuite() { delete pool_; }

  static std::unique_ptr<DetectdProcess> Start(const std::vector<std::string>& flags) {
    std::string error;
    std::unique_ptr<DetectdProcess> p = DetectdProcess::Start(flags, &error);
    EXPECT_NE(p, nullptr) << error;
    return p;
  }

  // A separate connection each time (distinct channel arguments).
  static std::unique_ptr<v1::DetectionService::Stub> NewStub(const DetectdProcess& detectd) {
    static std::atomic<int> n{0};
    grpc::ChannelArguments args;
    args.SetInt("detect.reliability.connection", n++);
    return v1::DetectionService::NewStub(detectd.Channel(nullptr, args));
  }

  // `events` pool events (cycled from `first`) as one request, raw JSON, ids prefix + position.
  static v1::EvaluateRequest Request(size_t first, size_t events, const std::string& prefix) {
    v1::EvaluateRequest request;
    for (size_t i = 0; i < events; ++i) {
      AddEvent((*pool_)[(first + i) % pool_->size()], absl::StrCat(prefix, i), false, &request);
    }
    return request;
  }

  // A stream of `batches` checked batches, ending OK: the server serves correctly.
  static void ExpectServesCorrectly(const DetectdProcess& detectd, int batches = 20) {
    auto stub = NewStub(detectd);
    BatchMaker maker(*pool_, "check-", 99);
    Account a;
    const grpc::Status status = RunStream(*stub, maker, batches, [] { return true; }, ExpectEngineResults(), a);
    EXPECT_TRUE(status.ok()) << status.error_message();
    EXPECT_EQ(a.wrong, 0u) << a.first_problem;
    EXPECT_EQ(a.batches_answered, static_cast<uint64_t>(batches));
  }

  static std::vector<PoolEvent>* pool_;
};
std::vector<PoolEvent>* FaultTest::pool_ = nullptr;

// Clients that vanish mid-batch, in every way a client can: cancelling after sending, cancelling while a write is
// under way, a deadline that expires mid-evaluation (stream and unary), and a client process killed with SIGKILL
// mid-stream (its connection drops without an HTTP/2 goodbye). Four rounds of 40 abandoned calls of 5,000 events
// (5.5 MB each) and 6 killed clients. The server must release everything: no stream left open; no connection
// whose client has gone (CLOSE_WAIT), every descriptor beyond its idle set a connection a client still holds
// open; memory growth from the first round to the last well below one abandoned request per call; and correct
// answers afterwards.
//
// The gRPC C++ client in this process keeps the socket of some channels it destroyed after a unary deadline
// expired mid-send (ESTABLISHED at both ends, unread bytes in its receive queue): those connections are the
// client's, and the server rightly keeps them; the test counts them (clients_open) instead of assuming none.
TEST_F(FaultTest, ClientsVanishingMidBatchLeaveNothingBehind) {
  // Descriptors are counted exactly, so without the listener watchdog: its probe is a socket of detectd's own,
  // left open while the accept queue is slow to drain on a loaded machine (one too many, in an ASan run).
  std::unique_ptr<DetectdProcess> detectd = Start({"--rules=rules", "--listener_check_seconds=0"});
  ASSERT_NE(detectd, nullptr);
  const int idle_fds = detectd->FdCount();
  const std::string idle_fd_list = detectd->DescribeFds();
  TempDir tmp;
  const std::string input = tmp.Sub("events.ndjson");
  {
    std::ofstream out(input);
    for (int i = 0; i < 20000; ++i) out << (*pool_)[static_cast<size_t>(i) % pool_->size()].json << "\n";
  }
  const v1::EvaluateRequest big = Request(0, 5000, "big-");
  int killed_mid_stream = 0, finished_before_kill = 0;
  std::atomic<int> cancelled{0};
  constexpr int kRounds = 4;
  long rss_after_round[kRounds] = {};
  DetectdProcess::Connections connections;
  for (int round = 0; round < kRounds; ++round) {
    std::vector<std::thread> clients;
    for (int t = 0; t < 4; ++t) {
      clients.emplace_back([&, t] {
        for (int i = 0; i < 10; ++i) {
          auto stub = NewStub(*detectd);
          grpc::ClientContext ctx;
          v1::EvaluateResponse response;
          switch ((t + i) % 4) {
            case 0: {  // Cancel right after sending a batch, without reading.
              auto stream = stub->StreamEvaluate(&ctx);
              stream->Write(big);
              ctx.TryCancel();
              if (!stream->Finish().ok()) ++cancelled;
              break;
            }
            case 1: {  // Cancel while the write is under way.
              auto stream = stub->StreamEvaluate(&ctx);
              std::thread writer([&] { stream->Write(big); });
              std::this_thread::sleep_for(std::chrono::milliseconds(1 + i));
              ctx.TryCancel();
              writer.join();
              if (!stream->Finish().ok()) ++cancelled;
              break;
            }
            case 2: {  // A deadline that expires mid-stream.
              ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::milliseconds(5 + 3 * i));
              auto stream = stub->StreamEvaluate(&ctx);
              for (int b = 0; b < 4 && stream->Write(big); ++b) {
              }
              while (stream->Read(&response)) {
              }
              if (!stream->Finish().ok()) ++cancelled;
              break;
            }
            default: {  // A unary deadline that expires mid-evaluation.
              ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::milliseconds(2 + i));
              if (!stub->Evaluate(&ctx, big, &response).ok()) ++cancelled;
              break;
            }
          }
        }
      });
    }
    // Meanwhile, client processes killed mid-stream.
    for (int i = 0; i < 6; ++i) {
      const pid_t client = SpawnProcess({DETECTCTL_PATH, "stream", "--server=" + detectd->address(), "--raw",
                                         "--batch_size=2000", "--format=ndjson", input},
                                        tmp.Sub("detectctl.out"));
      ASSERT_GT(client, 0);
      std::this_thread::sleep_for(std::chrono::milliseconds(150 + 40 * i));
      ::kill(client, SIGKILL);
      int status = 0;
      ::waitpid(client, &status, 0);
      if (WIFSIGNALED(status)) ++killed_mid_stream;
      else ++finished_before_kill;
    }
    for (std::thread& c : clients) c.join();
    EXPECT_TRUE(Eventually([&] { return detectd->Metric("detectd_streams_in_flight") == 0; }))
        << detectd->Metric("detectd_streams_in_flight") << " streams still open";
    // Every descriptor beyond the idle set is a connection whose client end is still open. (Under TSan at load
    // 20 one descriptor more than that lasted beyond 10 s once: the wait is a minute in sanitizer builds, and a
    // failure lists every descriptor, idle ones included.)
    EXPECT_TRUE(Eventually(
        [&] {
          connections = detectd->GrpcConnections();
          return connections.close_wait == 0 && connections.other == 0 &&
                 connections.established == connections.clients_open &&
                 detectd->FdCount() == idle_fds + connections.established;
        },
        kSanitizerBuild ? std::chrono::seconds(60) : std::chrono::seconds(10)))
        << "round " << round << ": descriptors: " << detectd->FdCount() << ", idle: " << idle_fds
        << "; connections established " << connections.established << " (client ends open "
        << connections.clients_open << "), close_wait " << connections.close_wait << ", closing "
        << connections.other << "\nidle descriptors:\n" << idle_fd_list << "now:\n" << detectd->DescribeFds();
    rss_after_round[round] = detectd->RssKb();
  }
  EXPECT_GT(killed_mid_stream, 0) << "detectctl always finished before it was killed: the input is too small";
  EXPECT_GT(cancelled.load(), kRounds * 20) << "most abandoned calls end non-OK on the client";
  EXPECT_GT(detectd->Metric("detectd_calls_total{method=\"StreamEvaluate\",code=\"CANCELLED\"}"), 0);
  // 120 calls abandoned after round 1, each carrying 5.5 MB: keeping one in ten would add 66 MB. (Allocator
  // high-water marks move in steps of tens of MB with messages this large, so the bound is not tighter.)
  if (!kSanitizerBuild) {
    EXPECT_LT(rss_after_round[kRounds - 1] - rss_after_round[0], 64 * 1024)
        << "RSS after round 1: " << rss_after_round[0] << " KiB, after round " << kRounds << ": "
        << rss_after_round[kRounds - 1] << " KiB";
  }
  ExpectServesCorrectly(*detectd);
  std::printf("VANISH rounds=%d abandoned_calls=%d cancelled_seen_by_client=%d detectctl_killed_mid_stream=%d "
              "detectctl_finished_first=%d rss_kb_after_round1=%ld round2=%ld round3=%ld round4=%ld fds_idle=%d "
              "fds_end=%d connections_kept_open_by_clients=%d close_wait=%d server_cancelled_streams=%.0f\n",
              kRounds, kRounds * 40, cancelled.load(), killed_mid_stream, finished_before_kill, rss_after_round[0],
              rss_after_round[1], rss_after_round[2], rss_after_round[3], idle_fds, detectd->FdCount(),
              connections.clients_open, connections.close_wait,
              detectd->Metric("detectd_calls_total{method=\"StreamEvaluate\",code=\"CANCELLED\"}"));
}

// Clients that write and never read: the server stops reading their streams once a few responses wait (HTTP/2
// flow control then stops the clients' writes), so it evaluates nothing more for them and its memory stops
// growing, while other clients are served as usual.
TEST_F(FaultTest, ClientsThatNeverReadAreHeldBackAndOthersAreServed) {
  std::unique_ptr<DetectdProcess> detectd = Start({"--rules=rules"});
  ASSERT_NE(detectd, nullptr);
  ExpectServesCorrectly(*detectd, 5);
  // Every event matches (the seed's anonymous access): large responses.
  v1::EvaluateRequest batch;
  for (int i = 0; i < 200; ++i) AddEvent((*pool_)[0], absl::StrCat("stuck-", i), false, &batch);
  ASSERT_FALSE((*pool_)[0].expected.empty());
  size_t response_bytes = 0;  // Of one such batch's response.
  {
    grpc::ClientContext ctx;
    v1::EvaluateResponse response;
    ASSERT_TRUE(NewStub(*detectd)->Evaluate(&ctx, batch, &response).ok());
    response_bytes = response.ByteSizeLong();
  }
  const long rss_before = detectd->RssKb();
  constexpr int kStuck = 8;
  const double evaluated_before = detectd->Metric("detectd_events_evaluated_total{method=\"StreamEvaluate\"}");
  std::vector<std::unique_ptr<v1::DetectionService::Stub>> stubs;
  std::vector<std::unique_ptr<grpc::ClientContext>> contexts;
  std::vector<std::unique_ptr<grpc::ClientReaderWriter<v1::EvaluateRequest, v1::EvaluateResponse>>> streams;
  std::vector<std::atomic<int>> written(kStuck);
  std::vector<std::thread> writers;
  for (int i = 0; i < kStuck; ++i) {
    stubs.push_back(NewStub(*detectd));
    contexts.push_back(std::make_unique<grpc::ClientContext>());
    streams.push_back(stubs.back()->StreamEvaluate(contexts.back().get()));
    // The writer gets its stream, not an index into `streams`, which the next push_back may move (a data race
    // TSan reported).
    writers.emplace_back([&batch, &written, stream = streams.back().get(), i] {
      while (stream->Write(batch)) ++written[static_cast<size_t>(i)];
    });
  }
  auto evaluated = [&] { return detectd->Metric("detectd_events_evaluated_total{method=\"StreamEvaluate\"}"); };
  auto writes = [&] {
    int n = 0;
    for (auto& w : written) n += w.load();
    return n;
  };
  // First the server's own word that it stopped reading every stuck stream (a quiet second alone proved nothing
  // on a loaded machine: an ASan run under load had not started evaluating for them yet). Then the clients'
  // writes stop too, once their HTTP/2 windows are full: three readings a second apart agree.
  ASSERT_TRUE(Eventually([&] { return detectd->Metric("detectd_streams_reading_paused") == kStuck; },
                         std::chrono::seconds(60)))
      << detectd->Metric("detectd_streams_reading_paused") << " of " << kStuck
      << " stuck streams paused: the server keeps reading for clients that do not read";
  double stalled_at = -1;
  int writes_stalled = -1;
  ASSERT_TRUE(Eventually(
      [&] {
        const double e0 = evaluated();
        const int w0 = writes();
        for (int i = 0; i < 2; ++i) {
          std::this_thread::sleep_for(std::chrono::seconds(1));
          if (evaluated() != e0 || writes() != w0) return false;
        }
        stalled_at = e0;
        writes_stalled = w0;
        return true;
      },
      std::chrono::seconds(60)))
      << "the stuck clients keep writing, or the server keeps evaluating for them";
  const long rss_stalled = detectd->RssKb();

  // Other clients meanwhile: unary calls and a stream, all correct and prompt.
  auto stub = NewStub(*detectd);
  BatchMaker maker(*pool_, "other-", 5);
  Account others_unary, others_stream;
  double worst_ms = 0;
  for (int i = 0; i < 20; ++i) {
    const Clock::time_point t0 = Clock::now();
    EXPECT_TRUE(RunUnary(*stub, maker, ExpectEngineResults(), others_unary).ok());
    worst_ms = std::max(worst_ms, std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
  }
  const Clock::time_point t0 = Clock::now();
  EXPECT_TRUE(RunStream(*stub, maker, 20, [] { return true; }, ExpectEngineResults(), others_stream,
                        std::chrono::seconds(60))
                  .ok());
  const double stream_ms = std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
  EXPECT_EQ(others_unary.wrong + others_stream.wrong, 0u) << others_unary.first_problem << others_stream.first_problem;
  // A call held behind the stuck streams would wait as long as they stay stuck (for ever, here): RunUnary's 30 s
  // deadline and the stream's 60 s one catch that. The latencies are printed, not bounded: under CI's sanitizer
  // runs on a loaded machine a unary call took 8.6 s with nothing wrong.
  EXPECT_EQ(others_unary.calls_ok, 20u) << others_unary.Codes();
  EXPECT_EQ(others_stream.batches_answered, 20u) << others_stream.Codes();

  std::this_thread::sleep_for(std::chrono::seconds(2));
  const double evaluated_later = evaluated();
  const long rss_later = detectd->RssKb();
  const int writes_later = writes();
  // Only the other stream's events were evaluated on streams since the stall.
  EXPECT_EQ(evaluated_later - stalled_at, static_cast<double>(others_stream.events_answered));
  EXPECT_EQ(writes_later, writes_stalled) << "the stuck clients could still write";
  EXPECT_EQ(detectd->Metric("detectd_streams_reading_paused"), kStuck);
  // What the server evaluated for them: per stream, the responses the client's transport took before its window
  // filled, the one being written and max_queued_responses (2) queued: a handful, not what they wrote.
  EXPECT_LE(stalled_at - evaluated_before, kStuck * 16 * 200.0);
  // The rest of what they wrote waits in HTTP/2 flow-control windows, which gRPC sizes by its bandwidth-delay
  // estimate: about 14 MB per stuck stream on loopback (docs/reliability.md). Bounded, and flat once stuck.
  if (!kSanitizerBuild) {
    EXPECT_LT(rss_later, rss_before + kStuck * 32 * 1024) << "memory held for 8 stuck streams";
    EXPECT_LT(rss_later, rss_stalled + rss_stalled / 10) << "memory still growing while the streams are stuck";
  }

  for (auto& ctx : contexts) ctx->TryCancel();
  for (std::thread& w : writers) w.join();
  for (auto& s : streams) EXPECT_FALSE(s->Finish().ok());
  EXPECT_TRUE(Eventually([&] { return detectd->Metric("detectd_streams_in_flight") == 0; }));
  ExpectServesCorrectly(*detectd);
  const long rss_after = detectd->RssKb();
  std::printf("NONREADING stuck_streams=%d batch_events=200 batch_bytes=%zu response_bytes=%zu "
              "batches_written_total=%d (per stream "
              "%.1f) events_evaluated_for_them=%.0f rss_kb before=%ld stalled=%ld later=%ld after_cancel=%ld "
              "other_unary_worst_ms=%.1f other_stream_20_batches_ms=%.1f\n",
              kStuck, batch.ByteSizeLong(), response_bytes, writes_later, writes_later / static_cast<double>(kStuck),
              stalled_at - evaluated_before, rss_before, rss_stalled, rss_later, rss_after, worst_ms, stream_ms);
}

// A client that sends after half-closing: DATA after END_STREAM on a StreamEvaluate call. No gRPC library sends
// it, so a bare HTTP/2 client does (raw_http2.h). HTTP/2 makes it a stream error: the call must end visibly
// (RST_STREAM or GOAWAY, or trailers), never hang; nothing sent after the half-close may be answered as if it
// had been accepted, an answer that does come is the complete answer to the message before it, and everyone
// else is served throughout.
TEST_F(FaultTest, DataAfterHalfCloseEndsThatCallVisiblyAndNothingElse) {
  std::unique_ptr<DetectdProcess> detectd = Start({"--rules=rules"});
  ASSERT_NE(detectd, nullptr);
  const v1::EvaluateRequest first = Request(0, 3, "half-");
  const v1::EvaluateRequest late = Request(3, 3, "late-");
  constexpr int kRounds = 10;
  int reset = 0, goaway = 0, trailers = 0, answered = 0;
  for (int round = 0; round < kRounds; ++round) {
    RawHttp2Connection h2(detectd->port());
    ASSERT_TRUE(h2.connected());
    h2.OpenGrpcCall(1, "/detect.v1.DetectionService/StreamEvaluate");
    h2.SendGrpcMessage(1, first.SerializeAsString(), /*end_stream=*/true);
    h2.SendGrpcMessage(1, late.SerializeAsString(), /*end_stream=*/false);
    std::string data;
    bool ended = false;
    RawHttp2Connection::Frame f;
    while (!ended && h2.ReadFrame(&f)) {  // ReadFrame gives up after 10 s of silence.
      if (f.type == RawHttp2Connection::kData && f.stream == 1) {
        data += f.payload;
      } else if (f.type == RawHttp2Connection::kRstStream && f.stream == 1) {
        ++reset, ended = true;
      } else if (f.type == RawHttp2Connection::kGoaway) {
        ++goaway, ended = true;
      } else if (f.type == RawHttp2Connection::kHeaders && f.stream == 1 && (f.flags & RawHttp2Connection::kEndStream)) {
        ++trailers, ended = true;
      }
    }
    EXPECT_TRUE(ended) << "round " << round << ": the call neither ended nor was reset (silence or EOF)";
    // The answers that came: whole gRPC messages, each the complete answer to `first`, never to `late`.
    size_t at = 0;
    while (at + 5 <= data.size()) {
      const size_t length = static_cast<size_t>(static_cast<uint8_t>(data[at + 1])) << 24 |
                            static_cast<size_t>(static_cast<uint8_t>(data[at + 2])) << 16 |
                            static_cast<size_t>(static_cast<uint8_t>(data[at + 3])) << 8 |
                            static_cast<size_t>(static_cast<uint8_t>(data[at + 4]));
      ASSERT_LE(at + 5 + length, data.size()) << "a truncated response message";
      v1::EvaluateResponse response;
      ASSERT_TRUE(response.ParseFromString(data.substr(at + 5, length)));
      ASSERT_EQ(response.results_size(), first.events_size());
      for (int i = 0; i < response.results_size(); ++i) {
        EXPECT_EQ(response.results(i).event_id(), first.events(i).id()) << "an answer to data sent after END_STREAM";
      }
      ++answered;
      at += 5 + length;
    }
    EXPECT_EQ(at, data.size()) << "bytes after the last whole response message";
  }
  EXPECT_TRUE(Eventually([&] { return detectd->Metric("detectd_streams_in_flight") == 0; }))
      << detectd->Metric("detectd_streams_in_flight") << " streams still open";
  ExpectServesCorrectly(*detectd);
  std::printf("HALFCLOSE rounds=%d data_after_end_stream: rst_stream=%d goaway=%d trailers=%d "
              "answers_to_the_message_before=%d\n",
              kRounds, reset, goaway, trailers, answered);
}

// SIGTERM under load: every batch a client sent is answered, or its call ends with a non-OK status; streams
// that half-close during the grace period get all their answers and OK; new calls are refused; detectd exits 0.
TEST_F(FaultTest, SigtermUnderLoadAnswersOrFailsEveryBatch) {
  // The grace period leaves room for a loaded machine to answer what the half-closing streams had in flight
  // while the other eight keep writing: 3 s, then 6 s, were too short under ASan with the load at 15.
  constexpr int kGraceSeconds = kSanitizerBuild ? 30 : 6;
  std::unique_ptr<DetectdProcess> detectd =
      Start({"--rules=rules", absl::StrCat("--shutdown_grace_seconds=", kGraceSeconds)});
  ASSERT_NE(detectd, nullptr);
  constexpr int kStreams = 16, kUnary = 2;
  std::atomic<bool> draining{false};
  std::vector<Account> streams(kStreams), unary(kUnary);
  std::vector<grpc::Status> stream_status(kStreams);
  std::vector<std::thread> workers;
  for (int w = 0; w < kStreams; ++w) {
    workers.emplace_back([&, w] {
      auto stub = NewStub(*detectd);
      BatchMaker maker(*pool_, absl::StrCat("s", w, "-"), 100 + static_cast<uint32_t>(w));
      // Even workers half-close when the drain starts; odd ones write until the server ends their stream.
      std::function<bool()> keep = [&, w] { return w % 2 == 1 || !draining; };
      stream_status[static_cast<size_t>(w)] =
          RunStream(*stub, maker, 1 << 30, keep, ExpectEngineResults(), streams[static_cast<size_t>(w)]);
    });
  }
  for (int w = 0; w < kUnary; ++w) {
    workers.emplace_back([&, w] {
      auto stub = NewStub(*detectd);
      BatchMaker maker(*pool_, absl::StrCat("u", w, "-"), 200 + static_cast<uint32_t>(w));
      while (RunUnary(*stub, maker, ExpectEngineResults(), unary[static_cast<size_t>(w)]).ok()) {
      }
    });
  }
  // Every stream open at the server before SIGTERM (a stream that arrives during the drain is refused, which this
  // test does not test): on a loaded machine 2 s were not enough for 11 of 16. Then a second of load.
  ASSERT_TRUE(Eventually([&] { return detectd->Metric("detectd_streams_in_flight") >= kStreams; },
                         std::chrono::seconds(60)))
      << detectd->Metric("detectd_streams_in_flight") << " of " << kStreams << " streams open\n" << detectd->Log();
  std::this_thread::sleep_for(std::chrono::seconds(1));
  const Clock::time_point sigterm = Clock::now();
  ASSERT_TRUE(detectd->Signal(SIGTERM));
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  draining = true;
  for (std::thread& t : workers) t.join();
  EXPECT_TRUE(detectd->WaitExit(std::chrono::seconds(15)));
  const double exit_seconds = std::chrono::duration<double>(Clock::now() - sigterm).count();
  EXPECT_EQ(detectd->exit_status(), 0) << detectd->Log();

  Account half_closed, kept_writing, unary_total;
  for (int w = 0; w < kStreams; ++w) {
    const Account& a = streams[static_cast<size_t>(w)];
    EXPECT_EQ(a.silently_lost, 0u) << "stream " << w << ": " << a.first_problem;
    EXPECT_EQ(a.wrong, 0u) << "stream " << w << ": " << a.first_problem;
    EXPECT_EQ(a.batches_answered + a.unanswered, a.batches_sent) << "stream " << w;
    if (w % 2 == 0) {
      EXPECT_TRUE(stream_status[static_cast<size_t>(w)].ok())
          << "stream " << w << " half-closed during the grace period: " << stream_status[w].error_message();
      EXPECT_EQ(a.batches_answered, a.batches_sent) << "stream " << w;
      half_closed.Merge(a);
    } else {
      EXPECT_FALSE(stream_status[static_cast<size_t>(w)].ok()) << "stream " << w << " outlived the grace period";
      kept_writing.Merge(a);
    }
  }
  for (const Account& a : unary) {
    EXPECT_EQ(a.wrong, 0u) << a.first_problem;
    EXPECT_EQ(a.calls_ok + a.unanswered, a.calls);
    EXPECT_EQ(a.calls - a.calls_ok, 1u) << "each unary worker stops at its first refused call";
    unary_total.Merge(a);
  }
  // Exit after the grace period, plus the time to end the calls and exit (LeakSanitizer's check in the ASan build).
  // Under TSan at load 20, ending the cancelled calls took 12 s past the grace (their batches' evaluation, 10x
  // slower there, runs to its end): a minute of slack in sanitizer builds, 10 s otherwise.
  EXPECT_LT(exit_seconds, kGraceSeconds + (kSanitizerBuild ? 60 : 10)) << "the drain outlasted the grace period";
  EXPECT_TRUE(absl::StrContains(detectd->Log(), "\"msg\":\"drained\""));
  std::printf("SIGTERM streams=16 (8 half-closed in the grace period: batches sent=%llu answered=%llu, codes %s; "
              "8 kept writing: sent=%llu answered=%llu unanswered_with_error=%llu, codes %s) unary calls=%llu ok=%llu "
              "codes %s exit_after_s=%.2f exit_status=%d\n",
              static_cast<unsigned long long>(half_closed.batches_sent),
              static_cast<unsigned long long>(half_closed.batches_answered), half_closed.Codes().c_str(),
              static_cast<unsigned long long>(kept_writing.batches_sent),
              static_cast<unsigned long long>(kept_writing.batches_answered),
              static_cast<unsigned long long>(kept_writing.unanswered), kept_writing.Codes().c_str(),
              static_cast<unsigned long long>(unary_total.calls), static_cast<unsigned long long>(unary_total.calls_ok),
              unary_total.Codes().c_str(), exit_seconds, detectd->exit_status());
}

// A rule that matches every audit event, its id naming the generation of the rules directory.
std::string GenerationRule(int generation) {
  return SimpleRule(absl::StrCat("t.generation.", generation), "kind", "Event", "Info");
}
constexpr char kGenerationPrefix[] = "t.generation.";

// The rules directory of these tests: a copy of the bundled pack plus the generation rule.
std::string MakeRulesDir(const std::string& path, int generation) {
  CopyTree("rules", path);
  WriteFile(path + "/zz_generation.yml", GenerationRule(generation));
  return path;
}

// Checks responses of a pack-plus-generation rule set: each event has the pack's matches exactly and one
// generation match, the same generation for the whole response, and one generation per rule-set version.
class GenerationCheck {
 public:
  ResponseCheck Check() {
    return [this](const v1::EvaluateResponse& response, const Batch& batch, const BatchMaker& maker) {
      if (response.results_size() != static_cast<int>(batch.events.size())) {
        return absl::StrCat(response.results_size(), " results for ", batch.events.size(), " events");
      }
      int generation = -1;
      for (size_t i = 0; i < batch.events.size(); ++i) {
        const v1::EventResult& r = response.results(static_cast<int>(i));
        std::vector<std::string> pack;
        int event_generation = -1, generation_matches = 0;
        for (const std::string& key : ResultKeys(r)) {
          if (absl::StartsWith(key, kGenerationPrefix)) {
            ++generation_matches;
            event_generation = std::atoi(key.c_str() + sizeof(kGenerationPrefix) - 1);
          } else {
            pack.push_back(key);
          }
        }
        if (r.event_id() != maker.Id(batch.first_id + i) || r.has_error() ||
            pack != maker.pool()[batch.events[i]].expected) {
          return absl::StrCat("event ", r.event_id(), ": not the full pack's verdict: ", r.ShortDebugString());
        }
        if (generation_matches != 1) return absl::StrCat("event ", r.event_id(), ": ", generation_matches,
                                                          " generation rules matched");
        if (generation >= 0 && event_generation != generation) return std::string("two generations in one response");
        generation = event_generation;
      }
      std::lock_guard<std::mutex> lock(mu_);
      auto [it, inserted] = generation_of_version_.emplace(response.rule_set_version(), generation);
      if (!inserted && it->second != generation) {
        return absl::StrCat("version ", response.rule_set_version(), " served generations ", it->second, " and ",
                            generation);
      }
      if (generation > latest_written_) return absl::StrCat("generation ", generation, " was never written");
      first_seen_.emplace(generation, Clock::now());
      last_ = generation;
      return std::string();
    };
  }
  void Written(int generation) {
    std::lock_guard<std::mutex> lock(mu_);
    latest_written_ = std::max(latest_written_, generation);
  }
  // The generation of the last response checked.
  int last() const { return last_.load(); }
  // When a response first carried `generation` (the epoch if none did).
  Clock::time_point FirstSeen(int generation) {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = first_seen_.find(generation);
    return it == first_seen_.end() ? Clock::time_point() : it->second;
  }
  std::set<int> Generations() {
    std::lock_guard<std::mutex> lock(mu_);
    std::set<int> out;
    for (const auto& [version, generation] : generation_of_version_) out.insert(generation);
    return out;
  }

 private:
  std::mutex mu_;
  std::map<std::string, int> generation_of_version_;
  std::map<int, Clock::time_point> first_seen_;
  int latest_written_ = 0;
  std::atomic<int> last_{-1};
};

// The rules change every second under load: the generation rule rewritten (picked up by the watcher, or by a
// SIGHUP racing it), pack files touched with a SIGHUP (an unchanged set), a broken rewrite (rejected). No call
// fails, every response comes from one complete rule set, and every generation written is served.
// DETECT_RELOAD_SECONDS: how many changes (CI: 10).
TEST_F(FaultTest, ReloadsEverySecondUnderLoadFailNoCallAndServeCompleteRuleSets) {
  const int seconds = static_cast<int>(EnvOr("DETECT_RELOAD_SECONDS", 10));
  TempDir tmp;
  const std::string rules = MakeRulesDir(tmp.Sub("rules"), 0);
  std::unique_ptr<DetectdProcess> detectd = Start({"--rules=" + rules, "--watch_debounce_ms=100"});
  ASSERT_NE(detectd, nullptr);
  GenerationCheck generations;
  std::atomic<bool> stop{false};
  constexpr int kStreams = 8, kUnary = 2;
  std::vector<Account> accounts(kStreams + kUnary);
  std::vector<std::thread> workers;
  for (int w = 0; w < kStreams + kUnary; ++w) {
    workers.emplace_back([&, w] {
      auto stub = NewStub(*detectd);
      BatchMaker maker(*pool_, absl::StrCat("r", w, "-"), 300 + static_cast<uint32_t>(w), 32);
      Account& a = accounts[static_cast<size_t>(w)];
      while (!stop) {
        const grpc::Status status =
            w < kStreams ? RunStream(*stub, maker, 200, [&] { return !stop.load(); }, generations.Check(), a)
                         : RunUnary(*stub, maker, generations.Check(), a);
        if (!status.ok()) a.Problem("call failed: " + status.error_message());
      }
    });
  }
  // A failed ASSERT below returns early: the workers must still stop and be joined (a joinable std::thread
  // destroyed calls std::terminate, which would lose the report of what failed).
  absl::Cleanup join_workers = [&] {
    stop = true;
    for (std::thread& t : workers) {
      if (t.joinable()) t.join();
    }
  };
  int written = 0, sighups = 0, touches = 0, broken = 0;
  std::map<int, Clock::time_point> written_at;  // Generation -> when its file was renamed into place.
  auto reloads = [&](const char* outcome) {
    return detectd->Metric(absl::StrCat("detectd_rule_reloads_total{outcome=\"", outcome, "\"}"));
  };
  // One change a second; each step then waits (bounded) until its effect shows, so that a slow compile (a
  // sanitizer build) cannot let the next step overwrite a file before any reload has read it. The bound is
  // generous (a TSan detectd compiling the pack on a loaded 2-core machine takes seconds; the time each change
  // took is printed below, and what this test checks is that it happens, not how fast), and a wait ends at
  // once if detectd exits: its output is then printed (DetectdProcess) rather than waited on for nothing.
  const std::chrono::seconds effect_bound(kSanitizerBuild ? 90 : 30);
  auto effect = [&](auto shown) { return Eventually([&] { return shown() || !detectd->Running(); }, effect_bound); };
  auto alive = [&] {
    return detectd->Running() ? ::testing::AssertionSuccess()
                              : ::testing::AssertionFailure() << "detectd exited (status " << detectd->exit_status()
                                                              << ", signal " << detectd->term_signal() << ")";
  };
  for (int i = 1; i <= seconds; ++i) {
    std::this_thread::sleep_for(std::chrono::seconds(1));
    switch (i % 4) {
      case 1:  // A new generation, seen by the watcher.
      case 2:  // A new generation and a SIGHUP at once.
        generations.Written(i);
        WriteFile(rules + "/zz_generation.yml", GenerationRule(i));
        written_at[i] = Clock::now();
        written = i;
        if (i % 4 == 2) {
          ASSERT_TRUE(alive());
          ASSERT_TRUE(detectd->Signal(SIGHUP));
          ++sighups;
        }
        EXPECT_TRUE(effect([&] { return generations.FirstSeen(i) != Clock::time_point(); }))
            << "generation " << i << " was not served within " << effect_bound.count() << " s";
        ASSERT_TRUE(alive());
        break;
      case 3: {  // Every pack file touched, and a SIGHUP: the same set.
        const double unchanged = reloads("unchanged");
        for (const fs::directory_entry& e : fs::recursive_directory_iterator(rules)) {
          if (e.is_regular_file()) ::utime(e.path().c_str(), nullptr);
        }
        ++touches;
        ASSERT_TRUE(alive());
        ASSERT_TRUE(detectd->Signal(SIGHUP));
        ++sighups;
        EXPECT_TRUE(effect([&] { return reloads("unchanged") > unchanged; })) << "SIGHUP on an unchanged set";
        ASSERT_TRUE(alive());
        break;
      }
      default: {  // A broken rewrite: rejected, the previous generation keeps serving (fixed a second later).
        const double rejected = reloads("rejected");
        WriteFile(rules + "/zz_generation.yml", "AnalysisType: rule\nRuleID: t.broken\nDetection: [\n");
        ++broken;
        ASSERT_TRUE(alive());
        ASSERT_TRUE(detectd->Signal(SIGHUP));
        ++sighups;
        EXPECT_TRUE(effect([&] { return reloads("rejected") > rejected; })) << "SIGHUP on a broken rewrite";
        ASSERT_TRUE(alive());
        break;
      }
    }
  }
  if (seconds % 4 == 0) {  // End on a good set.
    WriteFile(rules + "/zz_generation.yml", GenerationRule(written));
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  std::move(join_workers).Invoke();
  Account total;
  for (const Account& a : accounts) total.Merge(a);
  EXPECT_EQ(total.calls_ok, total.calls) << total.Codes() << " " << total.first_problem;
  EXPECT_EQ(total.wrong, 0u) << total.first_problem;
  EXPECT_EQ(total.silently_lost + total.unanswered, 0u);
  const std::set<int> seen = generations.Generations();
  EXPECT_EQ(seen.size(), written_at.size() + 1) << "every generation written (and the first) was served";
  // How long until responses carried a new generation: by the watcher (debounce 100 ms here, 500 by default)
  // and by a SIGHUP.
  double watcher_max_ms = 0, sighup_max_ms = 0, watcher_sum_ms = 0, sighup_sum_ms = 0;
  int watcher_n = 0, sighup_n = 0;
  for (const auto& [generation, at] : written_at) {
    const Clock::time_point seen = generations.FirstSeen(generation);
    if (seen == Clock::time_point()) continue;
    const double ms = std::chrono::duration<double, std::milli>(seen - at).count();
    if (generation % 4 == 1) {
      watcher_max_ms = std::max(watcher_max_ms, ms);
      watcher_sum_ms += ms;
      ++watcher_n;
    } else {
      sighup_max_ms = std::max(sighup_max_ms, ms);
      sighup_sum_ms += ms;
      ++sighup_n;
    }
  }
  const std::string metrics = detectd->Metrics();
  const double success = MetricValue(metrics, "detectd_rule_reloads_total{outcome=\"success\"}");
  const double rejected = MetricValue(metrics, "detectd_rule_reloads_total{outcome=\"rejected\"}");
  const double unchanged = MetricValue(metrics, "detectd_rule_reloads_total{outcome=\"unchanged\"}");
  const double errors = MetricValue(metrics, "detectd_rule_reloads_total{outcome=\"error\"}");
  EXPECT_GE(rejected, broken);
  EXPECT_GE(unchanged, touches);
  EXPECT_EQ(errors, 0);
  std::printf("RELOAD seconds=%d last_generation=%d generations_served=%zu sighups=%d touches=%d "
              "broken_rewrites=%d reloads success=%.0f rejected=%.0f unchanged=%.0f error=%.0f calls=%llu "
              "failed_calls=%llu batches=%llu events=%llu wrong=%llu; new rules served after: watcher mean=%.0f ms "
              "max=%.0f ms (n=%d), SIGHUP mean=%.0f ms max=%.0f ms (n=%d)\n",
              seconds, written, seen.size(), sighups, touches, broken, success, rejected, unchanged, errors,
              static_cast<unsigned long long>(total.calls),
              static_cast<unsigned long long>(total.calls - total.calls_ok),
              static_cast<unsigned long long>(total.batches_answered),
              static_cast<unsigned long long>(total.events_answered), static_cast<unsigned long long>(total.wrong),
              watcher_n > 0 ? watcher_sum_ms / watcher_n : 0.0, watcher_max_ms, watcher_n,
              sighup_n > 0 ? sighup_sum_ms / sighup_n : 0.0, sighup_max_ms, sighup_n);
}

// The rules directory goes away (renamed, then a file in its place, then deleted) and comes back. While it is
// gone the old rules keep serving and each failed reload is logged and counted; when it comes back, the watcher
// loads it without a signal. Tests run as root, which reads through `chmod 000` (CAP_DAC_OVERRIDE), so an
// unreadable directory is made by taking it away rather than by permissions.
TEST_F(FaultTest, RulesDirectoryGoneKeepsTheOldRulesAndComesBack) {
  TempDir tmp;
  const std::string rules = MakeRulesDir(tmp.Sub("rules"), 0);
  std::unique_ptr<DetectdProcess> detectd = Start({"--rules=" + rules, "--watch_debounce_ms=100"});
  ASSERT_NE(detectd, nullptr);
  auto stub = NewStub(*detectd);
  GenerationCheck generations;
  // The generation that serves, after checking a batch against the full pack; -1 on any problem.
  auto serving = [&] {
    BatchMaker maker(*pool_, "d-", 7);
    Account a;
    const grpc::Status status = RunUnary(*stub, maker, generations.Check(), a);
    EXPECT_TRUE(status.ok()) << status.error_message();
    EXPECT_EQ(a.wrong, 0u) << a.first_problem;
    return status.ok() && a.wrong == 0 ? generations.last() : -1;
  };
  auto reloads = [&](const char* outcome) {
    return detectd->Metric(absl::StrCat("detectd_rule_reloads_total{outcome=\"", outcome, "\"}"));
  };
  auto failed_reloads = [&] { return reloads("error") + reloads("rejected"); };
  ASSERT_EQ(serving(), 0);

  // 1. Renamed away: the watcher's reload fails (logged, counted), the old rules serve.
  double failures = failed_reloads();
  fs::rename(rules, tmp.Sub("rules.away"));
  EXPECT_TRUE(Eventually([&] { return failed_reloads() > failures; })) << "no failed reload was recorded";
  EXPECT_TRUE(absl::StrContains(detectd->Log(), "\"msg\":\"rule load failed\""));
  EXPECT_EQ(serving(), 0);

  // 2. A file where the directory was, and a SIGHUP: rejected, the old rules serve.
  WriteFile(rules, "this is not a rules directory\n");
  failures = failed_reloads();
  ASSERT_TRUE(detectd->Signal(SIGHUP));
  EXPECT_TRUE(Eventually([&] { return failed_reloads() > failures; }));
  EXPECT_EQ(serving(), 0);

  // 3. The directory comes back (renamed into place, with a new generation): loaded without a signal.
  fs::remove(rules);
  generations.Written(1);
  WriteFile(tmp.Sub("rules.away") + "/zz_generation.yml", GenerationRule(1));
  fs::rename(tmp.Sub("rules.away"), rules);
  EXPECT_TRUE(Eventually([&] { return serving() == 1; })) << "the restored directory was not loaded";

  // 4. Deleted outright, then created afresh: the old rules serve meanwhile; the new directory is loaded
  // without a signal.
  failures = failed_reloads();
  fs::remove_all(rules);
  EXPECT_TRUE(Eventually([&] { return failed_reloads() > failures; }));
  EXPECT_EQ(serving(), 1);
  generations.Written(2);
  MakeRulesDir(tmp.Sub("rules.new"), 2);
  fs::rename(tmp.Sub("rules.new"), rules);
  EXPECT_TRUE(Eventually([&] { return serving() == 2; })) << "a directory created afresh was not loaded";
  // And the watcher still follows changes inside it.
  generations.Written(3);
  WriteFile(rules + "/zz_generation.yml", GenerationRule(3));
  EXPECT_TRUE(Eventually([&] { return serving() == 3; })) << "changes in the new directory are not seen";
  const std::string log = detectd->Log();
  std::printf("RULESDIR reloads success=%.0f error=%.0f rejected=%.0f unchanged=%.0f; log lines: "
              "'rule load failed'=%d 'rule set rejected'=%d 'cannot watch the rules directory; looking for it every "
              "second'=%d 'watching the rules directory again'=%d\n",
              reloads("success"), reloads("error"), reloads("rejected"), reloads("unchanged"),
              Occurrences(log, "\"msg\":\"rule load failed\""),
              Occurrences(log, "\"msg\":\"rule set rejected; the serving rule set stays\""),
              Occurrences(log, "cannot watch the rules directory; looking for it every second"),
              Occurrences(log, "watching the rules directory again"));
}

}  // namespace
}  // namespace detect::test_support
