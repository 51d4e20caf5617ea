// DetectionService over real gRPC (TCP on 127.0.0.1:0) with a StrictMock Evaluator: request limits, stream
// ordering, flow control with a slow reader, cancellation, deadlines, concurrent-stream limit.
#include "server/service.h"

#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <thread>

#include "gmock/gmock.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/impl/codegen/client_unary_call.h"
#include "grpcpp/impl/codegen/sync_stream.h"
#include "grpcpp/security/credentials.h"
#include "grpcpp/security/server_credentials.h"
#include "grpcpp/server_builder.h"
#include "gtest/gtest.h"
#include "tests/mocks/mock_evaluator.h"
#include "tests/testing/eventually.h"

namespace detect::server {
namespace {

using ::testing::_;
using ::testing::HasSubstr;
using ::testing::Invoke;
using ::testing::StrictMock;

v1::EvaluateRequest Batch(const std::string& prefix, int n) {
  v1::EvaluateRequest r;
  for (int i = 0; i < n; ++i) {
    v1::Event* e = r.add_events();
    e->set_id(prefix + "-" + std::to_string(i));
    e->set_json("{}");
  }
  return r;
}

using ::detect::test_support::Eventually;

class ServiceTest : public ::testing::Test {
 protected:
  void Start(ServiceOptions options = ServiceOptions()) {
    service_ = std::make_unique<DetectionService>(&evaluator_, &metrics_, options);
    grpc::ServerBuilder builder;
    builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &port_);
    builder.RegisterService(service_.get());
    builder.AddChannelArgument(GRPC_ARG_HTTP2_BDP_PROBE, 0);
    server_ = builder.BuildAndStart();
    ASSERT_NE(server_, nullptr);
    // Fixed 64 KiB stream windows (no BDP growth), so flow control engages at a predictable point.
    grpc::ChannelArguments args;
    args.SetInt(GRPC_ARG_HTTP2_BDP_PROBE, 0);
    args.SetInt(GRPC_ARG_HTTP2_STREAM_LOOKAHEAD_BYTES, 64 << 10);
    args.SetMaxReceiveMessageSize(-1);
    stub_ = v1::DetectionService::NewStub(
        grpc::CreateCustomChannel("127.0.0.1:" + std::to_string(port_), grpc::InsecureChannelCredentials(), args));
  }
  void TearDown() override {
    if (server_ != nullptr) server_->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(2));
  }

  StrictMock<MockEvaluator> evaluator_;
  Metrics metrics_;
  std::unique_ptr<DetectionService> service_;
  std::unique_ptr<grpc::Server> server_;
  std::unique_ptr<v1::DetectionService::Stub> stub_;
  int port_ = 0;
};

TEST_F(ServiceTest, EvaluateReturnsTheEvaluatorsResults) {
  Start();
  EXPECT_CALL(evaluator_, Evaluate(_, _)).WillOnce(Invoke(EchoIds("hit")));
  grpc::ClientContext ctx;
  v1::EvaluateResponse response;
  ASSERT_TRUE(stub_->Evaluate(&ctx, Batch("a", 2), &response).ok());
  ASSERT_EQ(response.results_size(), 2);
  EXPECT_EQ(response.results(0).event_id(), "a-0");
  EXPECT_EQ(response.results(1).matches(0).title(), "hit");
  EXPECT_EQ(metrics_.events_evaluated(RpcMethod::kEvaluate), 2u);
  EXPECT_THAT(metrics_.RenderPrometheus(),
              HasSubstr("detectd_matches_total{rule_id=\"mock.rule\",severity=\"High\"} 2"));
}

TEST_F(ServiceTest, EvaluateRejectsTooManyEventsNamingTheLimit) {
  ServiceOptions options;
  options.max_events_per_request = 3;
  Start(options);
  grpc::ClientContext ctx;
  v1::EvaluateResponse response;
  grpc::Status status = stub_->Evaluate(&ctx, Batch("a", 4), &response);  // StrictMock: no Evaluate call.
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(status.error_message(), HasSubstr("request has 4 events; the limit max_events_per_request is 3"));
}

TEST_F(ServiceTest, StreamAnswersPipelinedMessagesInOrderWithTheirIds) {
  Start();
  EXPECT_CALL(evaluator_, Evaluate(_, _)).Times(20).WillRepeatedly(Invoke(EchoIds()));
  grpc::ClientContext ctx;
  auto stream = stub_->StreamEvaluate(&ctx);
  for (int i = 0; i < 20; ++i) ASSERT_TRUE(stream->Write(Batch("b" + std::to_string(i), 3)));
  stream->WritesDone();
  v1::EvaluateResponse response;
  for (int i = 0; i < 20; ++i) {
    ASSERT_TRUE(stream->Read(&response));
    ASSERT_EQ(response.results_size(), 3);
    EXPECT_EQ(response.results(2).event_id(), "b" + std::to_string(i) + "-2");
  }
  EXPECT_FALSE(stream->Read(&response));
  EXPECT_TRUE(stream->Finish().ok());
}

TEST_F(ServiceTest, StreamMessageWithTooManyEventsGetsPerEventErrorsAndTheStreamGoesOn) {
  ServiceOptions options;
  options.max_events_per_request = 2;
  Start(options);
  EXPECT_CALL(evaluator_, Evaluate(_, _)).Times(2).WillRepeatedly(Invoke(EchoIds()));
  grpc::ClientContext ctx;
  auto stream = stub_->StreamEvaluate(&ctx);
  ASSERT_TRUE(stream->Write(Batch("ok1", 2)));
  ASSERT_TRUE(stream->Write(Batch("big", 3)));
  ASSERT_TRUE(stream->Write(Batch("ok2", 1)));
  stream->WritesDone();
  v1::EvaluateResponse r1, r2, r3;
  ASSERT_TRUE(stream->Read(&r1));
  ASSERT_TRUE(stream->Read(&r2));
  ASSERT_TRUE(stream->Read(&r3));
  ASSERT_EQ(r2.results_size(), 3);
  EXPECT_EQ(r2.results(1).event_id(), "big-1");
  EXPECT_EQ(r2.results(1).error().code(), static_cast<int>(grpc::StatusCode::INVALID_ARGUMENT));
  EXPECT_THAT(r2.results(1).error().message(), HasSubstr("max_events_per_request is 2"));
  EXPECT_EQ(r3.results(0).event_id(), "ok2-0");
  EXPECT_TRUE(stream->Finish().ok());
}

TEST_F(ServiceTest, SlowReaderBoundsTheWorkTheServerDoesAhead) {
  ServiceOptions options;
  options.max_queued_responses = 1;
  Start(options);
  std::atomic<int> calls{0};
  const std::string big(256 << 10, 'x');  // Each response exceeds the client's 64 KiB stream window.
  EXPECT_CALL(evaluator_, Evaluate(_, _)).Times(30).WillRepeatedly(
      Invoke([&](const RequestView& request, v1::EvaluateResponse* response) {
        ++calls;
        EchoIds(big)(request, response);
      }));
  grpc::ClientContext ctx;
  auto stream = stub_->StreamEvaluate(&ctx);
  for (int i = 0; i < 30; ++i) ASSERT_TRUE(stream->Write(Batch("s" + std::to_string(i), 1)));
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  // One response in the transport, one being written, max_queued_responses queued, one being evaluated, and
  // a little slack for what the transport takes before its window closes.
  EXPECT_LE(calls.load(), 6) << "the server kept evaluating for a client that does not read";
  stream->WritesDone();
  v1::EvaluateResponse response;
  for (int i = 0; i < 30; ++i) {
    ASSERT_TRUE(stream->Read(&response));
    EXPECT_EQ(response.results(0).event_id(), "s" + std::to_string(i) + "-0");
  }
  EXPECT_TRUE(stream->Finish().ok());
  EXPECT_EQ(calls.load(), 30);
}

TEST_F(ServiceTest, CancelMidStreamReleasesTheStream) {
  Start();
  EXPECT_CALL(evaluator_, Evaluate(_, _)).WillRepeatedly(Invoke(EchoIds()));
  grpc::ClientContext ctx;
  auto stream = stub_->StreamEvaluate(&ctx);
  ASSERT_TRUE(stream->Write(Batch("c", 1)));
  v1::EvaluateResponse response;
  ASSERT_TRUE(stream->Read(&response));
  EXPECT_EQ(service_->open_streams(), 1);
  ctx.TryCancel();
  EXPECT_EQ(stream->Finish().error_code(), grpc::StatusCode::CANCELLED);
  EXPECT_TRUE(Eventually([&] { return service_->open_streams() == 0; }));
  EXPECT_TRUE(Eventually([&] { return metrics_.streams_in_flight() == 0; }));
  // The service is unaffected.
  grpc::ClientContext ctx2;
  EXPECT_TRUE(stub_->Evaluate(&ctx2, Batch("after", 1), &response).ok());
}

TEST_F(ServiceTest, StreamDeadlineEndsTheStream) {
  Start();
  EXPECT_CALL(evaluator_, Evaluate(_, _)).WillRepeatedly(Invoke(EchoIds()));
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::milliseconds(300));
  auto stream = stub_->StreamEvaluate(&ctx);
  ASSERT_TRUE(stream->Write(Batch("d", 1)));
  v1::EvaluateResponse response;
  ASSERT_TRUE(stream->Read(&response));
  EXPECT_FALSE(stream->Read(&response));  // Blocks until the deadline.
  EXPECT_EQ(stream->Finish().error_code(), grpc::StatusCode::DEADLINE_EXCEEDED);
  EXPECT_TRUE(Eventually([&] { return service_->open_streams() == 0; }));
}

TEST_F(ServiceTest, ConcurrentStreamLimitRefusesTheExtraStream) {
  ServiceOptions options;
  options.max_concurrent_streams = 1;
  Start(options);
  EXPECT_CALL(evaluator_, Evaluate(_, _)).WillRepeatedly(Invoke(EchoIds()));
  grpc::ClientContext ctx1;
  auto first = stub_->StreamEvaluate(&ctx1);
  ASSERT_TRUE(first->Write(Batch("one", 1)));
  v1::EvaluateResponse response;
  ASSERT_TRUE(first->Read(&response));

  // A stream takes its slot with its first message (one reset before sending never holds one), so the extra
  // stream is refused when it sends.
  grpc::ClientContext ctx2;
  auto second = stub_->StreamEvaluate(&ctx2);
  second->Write(Batch("two", 1));  // May fail once the refusal has arrived.
  EXPECT_FALSE(second->Read(&response));
  grpc::Status refused = second->Finish();
  EXPECT_EQ(refused.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_THAT(refused.error_message(), HasSubstr("max_concurrent_streams is 1"));

  first->WritesDone();
  EXPECT_TRUE(first->Finish().ok());
  EXPECT_TRUE(Eventually([&] { return service_->open_streams() == 0; }));
  grpc::ClientContext ctx3;
  auto third = stub_->StreamEvaluate(&ctx3);
  ASSERT_TRUE(third->Write(Batch("three", 1)));
  EXPECT_TRUE(third->Read(&response));
  third->WritesDone();
  EXPECT_TRUE(third->Finish().ok());
}

grpc::ByteBuffer Bytes(const std::string& data) {
  grpc::Slice slice(data);
  return grpc::ByteBuffer(&slice, 1);
}

// Requests arrive as raw bytes (RequestView): bytes that are not an EvaluateRequest are refused with
// INVALID_ARGUMENT (unary) or answered with one error result while the stream goes on.
TEST_F(ServiceTest, MalformedRequestBytes) {
  Start();
  EXPECT_CALL(evaluator_, Evaluate(_, _)).WillOnce(Invoke(EchoIds()));
  auto channel = grpc::CreateChannel("127.0.0.1:" + std::to_string(port_), grpc::InsecureChannelCredentials());
  const std::string garbage("\x0a\x10short", 7);  // events: a length running past the end.
  {
    const grpc::internal::RpcMethod method("/detect.v1.DetectionService/Evaluate",
                                           grpc::internal::RpcMethod::NORMAL_RPC);
    grpc::ClientContext ctx;
    grpc::ByteBuffer response;
    grpc::Status status = grpc::internal::BlockingUnaryCall<grpc::ByteBuffer, grpc::ByteBuffer>(
        channel.get(), method, &ctx, Bytes(garbage), &response);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
    EXPECT_THAT(status.error_message(), HasSubstr("malformed EvaluateRequest"));
  }
  const grpc::internal::RpcMethod method("/detect.v1.DetectionService/StreamEvaluate",
                                         grpc::internal::RpcMethod::BIDI_STREAMING);
  grpc::ClientContext ctx;
  std::unique_ptr<grpc::ClientReaderWriter<grpc::ByteBuffer, grpc::ByteBuffer>> stream(
      grpc::internal::ClientReaderWriterFactory<grpc::ByteBuffer, grpc::ByteBuffer>::Create(channel.get(), method,
                                                                                           &ctx));
  ASSERT_TRUE(stream->Write(Bytes(garbage)));
  ASSERT_TRUE(stream->Write(Bytes(Batch("good", 1).SerializeAsString())));
  stream->WritesDone();
  grpc::ByteBuffer bytes;
  v1::EvaluateResponse first, second;
  ASSERT_TRUE(stream->Read(&bytes));
  ASSERT_TRUE(grpc::SerializationTraits<v1::EvaluateResponse>::Deserialize(&bytes, &first).ok());
  ASSERT_TRUE(stream->Read(&bytes));
  ASSERT_TRUE(grpc::SerializationTraits<v1::EvaluateResponse>::Deserialize(&bytes, &second).ok());
  ASSERT_EQ(first.results_size(), 1);
  EXPECT_EQ(first.results(0).event_id(), "");
  EXPECT_THAT(first.results(0).error().message(), HasSubstr("malformed EvaluateRequest"));
  EXPECT_EQ(second.results(0).event_id(), "good-0");
  EXPECT_TRUE(stream->Finish().ok());
}

TEST_F(ServiceTest, GetRuleMapsNotFound) {
  Start();
  EXPECT_CALL(evaluator_, GetRule(_, _)).WillOnce(::testing::Return(absl::NotFoundError("no loaded rule")));
  grpc::ClientContext ctx;
  v1::GetRuleRequest request;
  request.set_rule_id("nope");
  v1::GetRuleResponse response;
  grpc::Status status = stub_->GetRule(&ctx, request, &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(status.error_message(), "no loaded rule");
}

TEST_F(ServiceTest, ListRulesPassesThrough) {
  Start();
  EXPECT_CALL(evaluator_, ListRules(_, _))
      .WillOnce(Invoke([](const v1::ListRulesRequest&, v1::ListRulesResponse* response) {
        response->set_rule_set_version("v1");
        response->add_rules()->set_rule_id("r1");
      }));
  grpc::ClientContext ctx;
  v1::ListRulesResponse response;
  ASSERT_TRUE(stub_->ListRules(&ctx, v1::ListRulesRequest(), &response).ok());
  EXPECT_EQ(response.rules(0).rule_id(), "r1");
  EXPECT_EQ(response.rule_set_version(), "v1");
}

}  // namespace
}  // namespace detect::server
