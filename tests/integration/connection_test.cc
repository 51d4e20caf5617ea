// Connection management of detectd: idle connections are closed and clients reconnect transparently; the
// transport memory quota leaves the service answering normally.
#include <chrono>
#include <thread>

#include "gtest/gtest.h"
#include "tests/integration/test_server.h"

namespace detect::test_support {
namespace {

bool ListRulesOk(v1::DetectionService::Stub& stub) {
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  v1::ListRulesResponse list;
  return stub.ListRules(&ctx, v1::ListRulesRequest(), &list).ok() && list.rules_size() > 0;
}

// A server that closes connections idle for 500 ms, and a client channel of its own.
struct IdleLimitedServer {
  IdleLimitedServer() : server(Options()) {
    if (server.daemon != nullptr) channel = Connect(server.daemon->port());
  }
  static server::DaemonOptions Options() {
    server::DaemonOptions options = TestOptions("rules");
    options.max_connection_idle = absl::Milliseconds(500);
    return options;
  }
  TestServer server;
  std::shared_ptr<grpc::Channel> channel;
};

TEST(ConnectionTest, IdleConnectionsAreClosedAndClientsReconnect) {
  IdleLimitedServer s;
  ASSERT_NE(s.channel, nullptr);
  std::shared_ptr<grpc::Channel> channel = s.channel;
  auto stub = v1::DetectionService::NewStub(channel);
  ASSERT_TRUE(ListRulesOk(*stub));
  EXPECT_EQ(channel->GetState(false), GRPC_CHANNEL_READY);
  // The server's GOAWAY takes the client's connection down: the channel leaves READY on its own.
  EXPECT_TRUE(Eventually([&] { return channel->GetState(false) != GRPC_CHANNEL_READY; }, std::chrono::seconds(10)))
      << "the idle connection was kept";
  EXPECT_TRUE(ListRulesOk(*stub)) << "the next call did not reconnect";
  EXPECT_EQ(channel->GetState(false), GRPC_CHANNEL_READY);
}

TEST(ConnectionTest, ConnectionsWithCallsStayOpen) {
  IdleLimitedServer s;
  ASSERT_NE(s.channel, nullptr);
  std::shared_ptr<grpc::Channel> channel = s.channel;
  auto stub = v1::DetectionService::NewStub(channel);
  grpc::ClientContext ctx;
  auto stream = stub->StreamEvaluate(&ctx);
  const std::vector<std::string> events = SeedEvents();
  ASSERT_FALSE(events.empty());
  // A stream open for 2 s, one message every 100 ms, keeps its connection: idleness counts calls, not bytes.
  for (int i = 0; i < 20; ++i) {
    ASSERT_TRUE(stream->Write(MakeRequest({events[0]}, /*raw=*/true, absl::StrCat("e", i, "-"))));
    v1::EvaluateResponse response;
    ASSERT_TRUE(stream->Read(&response));
    EXPECT_EQ(channel->GetState(false), GRPC_CHANNEL_READY);
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  stream->WritesDone();
  EXPECT_TRUE(stream->Finish().ok());
}

TEST(ConnectionTest, AMemoryQuotaLeavesTheServiceAnswering) {
  server::DaemonOptions options = TestOptions("rules");
  options.memory_quota_bytes = 64 << 20;
  TestServer server(std::move(options));
  ASSERT_NE(server.daemon, nullptr);
  const std::vector<std::string> events = SeedEvents();
  grpc::ClientContext ctx;
  v1::EvaluateResponse response;
  ASSERT_TRUE(server.stub->Evaluate(&ctx, MakeRequest(events, /*raw=*/true), &response).ok());
  EXPECT_EQ(response.results_size(), static_cast<int>(events.size()));
}

}  // namespace
}  // namespace detect::test_support
