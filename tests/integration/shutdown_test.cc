// Signals, in-process: SIGTERM marks NOT_SERVING, refuses new calls, lets an open stream finish and makes the
// signal loop return 0; streams that outlive the grace period are cancelled; SIGHUP reloads. This binary blocks
// the signals before main (as detectd's main does), so only RunUntilTerminated receives them.
#include <signal.h>
#include <unistd.h>

#include <thread>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/integration/test_server.h"
#include "tests/testing/test_files.h"

namespace detect::test_support {
namespace {

const bool kSignalsBlocked = [] {
  server::BlockTerminationSignals();
  return true;
}();

using HealthResponse = grpc::health::v1::HealthCheckResponse;

TEST(ShutdownTest, SigtermDrainsOpenStreamsAndExitsZero) {
  ASSERT_TRUE(kSignalsBlocked);
  server::DaemonOptions options = TestOptions("rules");
  // Far longer than the drain below takes even under a sanitizer on a loaded machine (a 10 s grace once ran out
  // before the open stream's second batch was written): the test proves detectd exits when the stream ends,
  // not when the grace does.
  options.shutdown_grace = absl::Seconds(60);
  TestServer server(options);
  ASSERT_NE(server.daemon, nullptr);
  const int port = server.daemon->port();
  const int health_port = server.daemon->health_port();

  grpc::ClientContext ctx;
  auto stream = server.stub->StreamEvaluate(&ctx);
  ASSERT_TRUE(stream->Write(MakeRequest(SeedEvents(), false, "before-")));
  v1::EvaluateResponse response;
  ASSERT_TRUE(stream->Read(&response));

  int exit_code = -1;
  std::thread signals([&] { exit_code = server::RunUntilTerminated(*server.daemon); });
  // A failed ASSERT below must not destroy a joinable thread (std::terminate would lose the report): the
  // signal loop returns at the latest when the grace ends.
  struct JoinAtExit {
    std::thread& t;
    ~JoinAtExit() {
      if (t.joinable()) t.join();
    }
  } join_at_exit{signals};
  ASSERT_EQ(::kill(::getpid(), SIGTERM), 0);

  // Draining: the health-only port reports NOT_SERVING and new connections get no service.
  EXPECT_TRUE(Eventually([&] { return HealthStatus(health_port) == HealthResponse::NOT_SERVING; }));
  // detectd reports NOT_SERVING first and then stops taking calls, so a call in between is still served (as a
  // load balancer that has not yet seen the health change expects); soon after, new calls are refused.
  auto fresh = v1::DetectionService::NewStub(Connect(port));
  EXPECT_TRUE(Eventually([&] {
    grpc::ClientContext fresh_ctx;
    fresh_ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(2));
    v1::EvaluateResponse ignored;
    return !fresh->Evaluate(&fresh_ctx, MakeRequest(SeedEvents(), false), &ignored).ok();
  })) << "new calls are still served while draining";

  // The open stream is still served until the client ends it.
  ASSERT_TRUE(stream->Write(MakeRequest(SeedEvents(), true, "during-")));
  ASSERT_TRUE(stream->Read(&response));
  EXPECT_EQ(response.results(3).event_id(), "during-4");
  stream->WritesDone();
  EXPECT_FALSE(stream->Read(&response));
  EXPECT_TRUE(stream->Finish().ok());
  const auto stream_ended = std::chrono::steady_clock::now();

  signals.join();
  EXPECT_EQ(exit_code, 0);
  EXPECT_LT(std::chrono::steady_clock::now() - stream_ended, std::chrono::seconds(30))
      << "detectd waited for the grace period instead of exiting once the last stream ended";
  EXPECT_TRUE(server.daemon->shutting_down());
}

TEST(ShutdownTest, StreamsOutlivingTheGracePeriodAreCancelled) {
  server::DaemonOptions options = TestOptions("rules");
  options.shutdown_grace = absl::Milliseconds(500);
  TestServer server(options);
  ASSERT_NE(server.daemon, nullptr);
  grpc::ClientContext ctx;
  auto stream = server.stub->StreamEvaluate(&ctx);
  ASSERT_TRUE(stream->Write(MakeRequest(SeedEvents(), false)));
  v1::EvaluateResponse response;
  ASSERT_TRUE(stream->Read(&response));
  int exit_code = -1;
  std::thread signals([&] { exit_code = server::RunUntilTerminated(*server.daemon); });
  ASSERT_EQ(::kill(::getpid(), SIGTERM), 0);
  EXPECT_FALSE(stream->Read(&response));  // Ends once the grace period is over.
  EXPECT_FALSE(stream->Finish().ok());
  signals.join();
  EXPECT_EQ(exit_code, 0);
}

TEST(ShutdownTest, SighupReloadsTheRules) {
  TempDir dir;
  WriteFile(dir.Sub("rule.yml"), SimpleRule("t.one", "verb", "get"));
  TestServer server(TestOptions(dir.path()));
  ASSERT_NE(server.daemon, nullptr);
  const std::string version = server.daemon->rule_store().Current()->version();
  std::thread signals([&] { server::RunUntilTerminated(*server.daemon); });
  WriteFile(dir.Sub("rule2.yml"), SimpleRule("t.two", "verb", "get"));
  ASSERT_EQ(::kill(::getpid(), SIGHUP), 0);
  EXPECT_TRUE(Eventually([&] { return server.daemon->rule_store().Current()->version() != version; }));
  EXPECT_EQ(server.daemon->rule_store().Current()->size(), 2u);
  ASSERT_EQ(::kill(::getpid(), SIGTERM), 0);
  signals.join();
}

}  // namespace
}  // namespace detect::test_support
