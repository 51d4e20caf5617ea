// detectd end to end, in-process on 127.0.0.1:0 with the bundled rules: unary and streaming evaluation of the
// seed events, ids across pipelined batches, a malformed event mid-stream, cancellation, a slow reader, limits,
// health, reflection, metrics, rule metadata.
#include <atomic>
#include <thread>

#include "gmock/gmock.h"
#include "grpcpp/generic/generic_stub.h"
#include "gtest/gtest.h"
#include "tests/integration/test_server.h"
#include "tests/testing/loopback_http.h"

namespace detect::test_support {
namespace {

using ::testing::ElementsAreArray;
using ::testing::HasSubstr;
using HealthResponse = grpc::health::v1::HealthCheckResponse;

constexpr char kSeedRule[] = "Amazon.EKS.AnonymousAPIAccess";

class EvaluateTest : public ::testing::TestWithParam<bool> {  // Param: raw JSON (true) or typed (false).
 protected:
  static void SetUpTestSuite() {
    server_ = new TestServer(TestOptions("rules"));
    expected_ = new std::vector<std::vector<std::string>>(ExpectedMatchKeys("rules", SeedEvents()));
  }
  static void TearDownTestSuite() {
    delete server_;
    delete expected_;
  }
  void ExpectSeedResults(const v1::EvaluateResponse& response, const std::string& prefix) {
    ASSERT_EQ(response.results_size(), 4);
    for (int i = 0; i < 4; ++i) {
      EXPECT_EQ(response.results(i).event_id(), absl::StrCat(prefix, i + 1));
      EXPECT_FALSE(response.results(i).has_error()) << response.results(i).error().message();
      EXPECT_THAT(MatchKeys(response.results(i)), ElementsAreArray((*expected_)[i])) << "event " << i + 1;
    }
    // The seed rule's own verdicts (Panther's tests of Amazon.EKS.AnonymousAPIAccess).
    EXPECT_THAT(MatchKeys(response.results(0)),
                ::testing::Contains(absl::StrCat(kSeedRule, "|2|Anonymous API access detected on Kubernetes API server "
                                                 "from [8.8.8.8] to [/api/v1/namespaces/default/pods/test-pod] on "
                                                 "[example-cluster-eks-logs]|anonymous_access_example-cluster-eks-"
                                                 "logs_kubectl/v1.25.4")));
    for (const v1::Match& m : response.results(1).matches()) EXPECT_NE(m.rule_id(), kSeedRule);
    EXPECT_THAT(MatchKeys(response.results(2)),
                ::testing::Contains(absl::StrCat(kSeedRule, "|1|Anonymous EKS Access to /version Endpoint Detected|no dedup")));
    EXPECT_THAT(MatchKeys(response.results(3)),
                ::testing::Contains(absl::StrCat(kSeedRule, "|1|Failed Anonymous EKS Access Attempt(s) Detected|no dedup")));
  }

  static TestServer* server_;
  static std::vector<std::vector<std::string>>* expected_;
};
TestServer* EvaluateTest::server_ = nullptr;
std::vector<std::vector<std::string>>* EvaluateTest::expected_ = nullptr;

TEST_P(EvaluateTest, UnarySeedEvents) {
  grpc::ClientContext ctx;
  v1::EvaluateResponse response;
  ASSERT_TRUE(server_->stub->Evaluate(&ctx, MakeRequest(SeedEvents(), GetParam(), "u"), &response).ok());
  ExpectSeedResults(response, "u");
  EXPECT_EQ(response.rule_set_version(), server_->daemon->rule_store().Current()->version());
}

TEST_P(EvaluateTest, StreamSeedEvents) {
  grpc::ClientContext ctx;
  auto stream = server_->stub->StreamEvaluate(&ctx);
  ASSERT_TRUE(stream->Write(MakeRequest(SeedEvents(), GetParam(), "s")));
  stream->WritesDone();
  v1::EvaluateResponse response;
  ASSERT_TRUE(stream->Read(&response));
  ExpectSeedResults(response, "s");
  EXPECT_FALSE(stream->Read(&response));
  EXPECT_TRUE(stream->Finish().ok());
}

TEST_P(EvaluateTest, PipelinedBatchesKeepTheirEventIds) {
  constexpr int kBatches = 40;
  grpc::ClientContext ctx;
  auto stream = server_->stub->StreamEvaluate(&ctx);
  std::thread writer([&] {
    for (int b = 0; b < kBatches; ++b) {
      if (!stream->Write(MakeRequest(SeedEvents(), GetParam(), absl::StrCat("b", b, "-")))) return;
    }
    stream->WritesDone();
  });
  v1::EvaluateResponse response;
  for (int b = 0; b < kBatches; ++b) {
    ASSERT_TRUE(stream->Read(&response)) << "batch " << b;
    ExpectSeedResults(response, absl::StrCat("b", b, "-"));
  }
  writer.join();
  EXPECT_FALSE(stream->Read(&response));
  EXPECT_TRUE(stream->Finish().ok());
}

INSTANTIATE_TEST_SUITE_P(Payload, EvaluateTest, ::testing::Values(false, true),
                         [](const ::testing::TestParamInfo<bool>& info) { return info.param ? "Raw" : "Typed"; });

class ServerTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    server::DaemonOptions options = TestOptions("rules");
    options.max_message_bytes = 256 << 10;
    options.service.max_events_per_request = 2000;
    options.service.max_concurrent_streams = 8;
    options.engine.max_event_bytes = 8 << 10;
    server_ = new TestServer(options);
  }
  static void TearDownTestSuite() { delete server_; }
  static TestServer* server_;
};
TestServer* ServerTest::server_ = nullptr;

TEST_F(ServerTest, MalformedEventMidStreamIsAnsweredAndTheStreamGoesOn) {
  const std::vector<std::string> seed = SeedEvents();
  grpc::ClientContext ctx;
  auto stream = server_->stub->StreamEvaluate(&ctx);
  ASSERT_TRUE(stream->Write(MakeRequest(seed, false, "first-")));
  v1::EvaluateRequest mixed = MakeRequest({seed[0], "{\"verb\": broken", seed[2]}, true, "mixed-");
  mixed.add_events()->set_id("mixed-empty");                              // No payload.
  mixed.add_events()->set_json("[\"not\", \"an object\"]");
  mixed.mutable_events(4)->set_id("mixed-array");
  mixed.add_events()->set_json("{\"pad\":\"" + std::string(9000, 'x') + "\"}");  // Over max_event_bytes.
  mixed.mutable_events(5)->set_id("mixed-big");
  ASSERT_TRUE(stream->Write(mixed));
  ASSERT_TRUE(stream->Write(MakeRequest(seed, false, "last-")));
  stream->WritesDone();
  v1::EvaluateResponse first, middle, last;
  ASSERT_TRUE(stream->Read(&first));
  ASSERT_TRUE(stream->Read(&middle));
  ASSERT_TRUE(stream->Read(&last));
  ASSERT_EQ(middle.results_size(), 6);
  EXPECT_FALSE(middle.results(0).has_error());
  EXPECT_GT(middle.results(0).matches_size(), 0);
  EXPECT_EQ(middle.results(1).event_id(), "mixed-2");
  EXPECT_EQ(middle.results(1).error().code(), static_cast<int>(grpc::StatusCode::INVALID_ARGUMENT));
  EXPECT_THAT(middle.results(1).error().message(), HasSubstr("invalid JSON"));
  EXPECT_FALSE(middle.results(2).has_error());
  EXPECT_GT(middle.results(2).matches_size(), 0);
  EXPECT_THAT(middle.results(3).error().message(), HasSubstr("no payload"));
  EXPECT_THAT(middle.results(4).error().message(), HasSubstr("not a JSON object"));
  EXPECT_THAT(middle.results(5).error().message(), HasSubstr("max_event_bytes 8192"));
  EXPECT_EQ(last.results_size(), 4);
  EXPECT_EQ(last.results(3).event_id(), "last-4");
  EXPECT_TRUE(stream->Finish().ok());
}

TEST_F(ServerTest, CancellationMidStream) {
  grpc::ClientContext ctx;
  auto stream = server_->stub->StreamEvaluate(&ctx);
  std::atomic<bool> stop{false};
  std::thread writer([&] {
    for (int b = 0; !stop && stream->Write(MakeRequest(SeedEvents(), false, absl::StrCat("c", b, "-"))); ++b) {
    }
  });
  v1::EvaluateResponse response;
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(stream->Read(&response));
  ctx.TryCancel();
  while (stream->Read(&response)) {
  }
  stop = true;
  writer.join();
  EXPECT_EQ(stream->Finish().error_code(), grpc::StatusCode::CANCELLED);
  EXPECT_TRUE(Eventually([] { return server_->daemon->service().open_streams() == 0; }));
  grpc::ClientContext ctx2;
  EXPECT_TRUE(server_->stub->Evaluate(&ctx2, MakeRequest(SeedEvents(), false), &response).ok());
}

TEST_F(ServerTest, SlowReaderHoldsTheServerBack) {
  // Small fixed windows, so a client that does not read stalls the stream after a response or two.
  grpc::ChannelArguments args;
  args.SetInt(GRPC_ARG_HTTP2_BDP_PROBE, 0);
  args.SetInt(GRPC_ARG_HTTP2_STREAM_LOOKAHEAD_BYTES, 64 << 10);
  auto stub = v1::DetectionService::NewStub(Connect(server_->daemon->port(), nullptr, args));
  std::vector<std::string> events;
  for (int i = 0; i < 100; ++i) events.push_back(SeedEvents()[0]);  // Every event matches: big responses.
  const v1::EvaluateRequest batch = MakeRequest(events, false);
  constexpr int kBatches = 30;
  const uint64_t before = server_->daemon->metrics().events_evaluated(server::RpcMethod::kStreamEvaluate);
  grpc::ClientContext ctx;
  auto stream = stub->StreamEvaluate(&ctx);
  std::atomic<int> written{0};
  std::thread writer([&] {
    for (int b = 0; b < kBatches && stream->Write(batch); ++b) ++written;
    stream->WritesDone();
  });
  std::this_thread::sleep_for(std::chrono::seconds(1));
  const uint64_t evaluated =
      server_->daemon->metrics().events_evaluated(server::RpcMethod::kStreamEvaluate) - before;
  // In the transport, being written, queued, being evaluated: a handful of batches, not all 30.
  EXPECT_LE(evaluated, 8u * 100u) << "the server evaluated ahead of a client that reads nothing";
  v1::EvaluateResponse response;
  for (int b = 0; b < kBatches; ++b) {
    ASSERT_TRUE(stream->Read(&response)) << b;
    ASSERT_EQ(response.results_size(), 100);
  }
  writer.join();
  EXPECT_EQ(written.load(), kBatches);
  EXPECT_TRUE(stream->Finish().ok());
}

TEST_F(ServerTest, OversizedRequestsNameTheLimit) {
  std::vector<std::string> many(2001, "{}");
  grpc::ClientContext ctx1;
  v1::EvaluateResponse response;
  grpc::Status too_many = server_->stub->Evaluate(&ctx1, MakeRequest(many, true), &response);
  EXPECT_EQ(too_many.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(too_many.error_message(), HasSubstr("max_events_per_request is 2000"));

  v1::EvaluateRequest huge;
  for (int i = 0; i < 100; ++i) huge.add_events()->set_json("{\"pad\":\"" + std::string(4000, 'p') + "\"}");
  grpc::ClientContext ctx2;
  grpc::Status too_big = server_->stub->Evaluate(&ctx2, huge, &response);
  EXPECT_EQ(too_big.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_THAT(too_big.error_message(), HasSubstr("larger than max"));

  grpc::ClientContext ctx3;  // Also on a stream: the message is refused, the server lives on.
  auto stream = server_->stub->StreamEvaluate(&ctx3);
  stream->Write(huge);
  EXPECT_FALSE(stream->Read(&response));
  EXPECT_EQ(stream->Finish().error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  grpc::ClientContext ctx4;
  EXPECT_TRUE(server_->stub->Evaluate(&ctx4, MakeRequest(SeedEvents(), false), &response).ok());
}

// One depth limit for both payloads (issue 12, item 8), on gRPC's own threads: an event of 256 levels
// (max_event_depth's default) is evaluated, as JSON and typed; 257 levels is a per-event error naming the limit.
TEST_F(ServerTest, EventsNestedToTheDepthLimitAreEvaluatedTypedOrJson) {
  auto json = [](int levels) {
    std::string open, close;
    for (int l = 3; l <= levels; ++l) open += "{\"a\":", close += "}";
    return absl::StrCat(R"({"verb":"get","requestObject":{"a":)", open, "1", close, "}}");
  };
  auto typed = [](int levels) {
    google::protobuf::Value v;
    v.set_number_value(1);
    for (int l = levels; l >= 3; --l) {
      google::protobuf::Value outer;
      (*outer.mutable_struct_value()->mutable_fields())["a"] = std::move(v);
      v = std::move(outer);
    }
    v1::AuditEvent event;
    event.set_verb("get");
    (*event.mutable_request_object()->mutable_fields())["a"] = std::move(v);
    return event;
  };
  v1::EvaluateRequest request;
  request.add_events()->set_json(json(256));
  request.add_events()->set_json(json(257));
  *request.add_events()->mutable_audit_event() = typed(256);
  *request.add_events()->mutable_audit_event() = typed(257);
  grpc::ClientContext ctx;
  v1::EvaluateResponse response;
  ASSERT_TRUE(server_->stub->Evaluate(&ctx, request, &response).ok());
  ASSERT_EQ(response.results_size(), 4);
  for (int i : {0, 2}) EXPECT_FALSE(response.results(i).has_error()) << i << ": " << response.results(i).error().message();
  for (int i : {1, 3}) {
    EXPECT_EQ(response.results(i).error().code(), static_cast<int>(grpc::StatusCode::INVALID_ARGUMENT)) << i;
    EXPECT_THAT(response.results(i).error().message(),
                HasSubstr("event nested too deep: more than max_event_depth 256 levels")) << i;
  }
}

TEST_F(ServerTest, HealthServingOnBothPorts) {
  EXPECT_EQ(HealthStatus(server_->daemon->port()), HealthResponse::SERVING);
  EXPECT_EQ(HealthStatus(server_->daemon->port(), "detect.v1.DetectionService"), HealthResponse::SERVING);
  EXPECT_EQ(HealthStatus(server_->daemon->health_port()), HealthResponse::SERVING);
  EXPECT_EQ(HealthStatus(server_->daemon->health_port(), "detect.v1.DetectionService"), HealthResponse::SERVING);
}

// Server reflection (what grpcurl uses): list_services over the generic stub, since the reflection messages'
// generated code lives inside libgrpc++_reflection without headers.
TEST_F(ServerTest, ReflectionListsTheService) {
  auto channel = Connect(server_->daemon->port());
  grpc::GenericStub stub(channel);
  grpc::CompletionQueue cq;
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  auto call = stub.PrepareCall(&ctx, "/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo", &cq);
  void* tag;
  bool ok;
  call->StartCall(reinterpret_cast<void*>(1));
  ASSERT_TRUE(cq.Next(&tag, &ok) && ok);
  grpc::Slice request(std::string("\x3a\x00", 2));  // ServerReflectionRequest{list_services: ""}
  grpc::ByteBuffer request_buffer(&request, 1);
  call->Write(request_buffer, reinterpret_cast<void*>(2));
  ASSERT_TRUE(cq.Next(&tag, &ok) && ok);
  grpc::ByteBuffer response;
  call->Read(&response, reinterpret_cast<void*>(3));
  ASSERT_TRUE(cq.Next(&tag, &ok) && ok);
  call->WritesDone(reinterpret_cast<void*>(4));
  ASSERT_TRUE(cq.Next(&tag, &ok));
  grpc::Status status;
  call->Finish(&status, reinterpret_cast<void*>(5));
  ASSERT_TRUE(cq.Next(&tag, &ok));
  std::vector<grpc::Slice> slices;
  ASSERT_TRUE(response.Dump(&slices).ok());
  std::string bytes;
  for (const grpc::Slice& s : slices) bytes.append(reinterpret_cast<const char*>(s.begin()), s.size());
  EXPECT_THAT(bytes, HasSubstr("detect.v1.DetectionService"));
  EXPECT_THAT(bytes, HasSubstr("grpc.health.v1.Health"));
}

TEST_F(ServerTest, MetricsEndpointCountsEvaluations) {
  grpc::ClientContext ctx;
  v1::EvaluateResponse response;
  ASSERT_TRUE(server_->stub->Evaluate(&ctx, MakeRequest(SeedEvents(), false), &response).ok());
  const std::string metrics = HttpGet(server_->daemon->metrics_port(), "/metrics");
  EXPECT_THAT(metrics, HasSubstr("HTTP/1.1 200 OK"));
  EXPECT_THAT(metrics, HasSubstr("detectd_events_evaluated_total{method=\"Evaluate\"}"));
  EXPECT_THAT(metrics, HasSubstr("detectd_matches_total{rule_id=\"Amazon.EKS.AnonymousAPIAccess\",severity=\"Low\"}"));
  EXPECT_THAT(metrics, HasSubstr("detectd_request_duration_seconds_bucket{method=\"Evaluate\",le=\"+Inf\"}"));
  EXPECT_THAT(metrics, HasSubstr("detectd_rule_set_info{version=\"" +
                                     server_->daemon->rule_store().Current()->version() + "\"} 1"));
  EXPECT_THAT(metrics, HasSubstr("detectd_rule_reloads_total{outcome=\"success\"} 1"));
  EXPECT_THAT(metrics, HasSubstr("detectd_streams_in_flight"));
}

// The metrics stock dashboards chart: process_*, build info, and gRPC server metrics by method and code.
// Health says how many rules serve (issue 12, item 9), as detectd_rules_loaded does on /metrics.
TEST_F(ServerTest, HealthzSaysHowManyRulesServe) {
  const std::shared_ptr<const RuleSet> rules = server_->daemon->rule_store().Current();
  ASSERT_GT(rules->size(), 0u);
  const std::string health = HttpGet(server_->daemon->metrics_port(), "/healthz");
  EXPECT_THAT(health, HasSubstr("HTTP/1.1 200 OK"));
  EXPECT_THAT(health, HasSubstr("application/json"));
  EXPECT_THAT(health, HasSubstr(absl::StrCat(R"({"status":"serving","rules":)", rules->size(),
                                             R"(,"rule_set_version":")", rules->version(), R"("})")));
  EXPECT_THAT(HttpGet(server_->daemon->metrics_port(), "/metrics"),
              HasSubstr(absl::StrCat("detectd_rules_loaded ", rules->size(), "\n")));
}

TEST_F(ServerTest, MetricsEndpointHasStandardProcessBuildAndGrpcMetrics) {
  grpc::ClientContext ctx;
  v1::EvaluateResponse response;
  ASSERT_TRUE(server_->stub->Evaluate(&ctx, MakeRequest(SeedEvents(), false), &response).ok());
  grpc::ClientContext bad;
  v1::GetRuleRequest get;
  get.set_rule_id("No.Such.Rule");
  v1::GetRuleResponse rule;
  EXPECT_EQ(server_->stub->GetRule(&bad, get, &rule).error_code(), grpc::StatusCode::NOT_FOUND);
  const std::string metrics = HttpGet(server_->daemon->metrics_port(), "/metrics");
  for (const char* name : {"process_cpu_seconds_total ", "process_resident_memory_bytes ", "process_open_fds ",
                           "process_max_fds ", "process_start_time_seconds ", "process_virtual_memory_bytes "}) {
    EXPECT_THAT(metrics, HasSubstr(std::string("\n") + name)) << name;
  }
  EXPECT_THAT(metrics, HasSubstr("detectd_build_info{version=\"0.1.0\",git=\""));
  const std::string evaluate = "grpc_type=\"unary\",grpc_service=\"detect.v1.DetectionService\",grpc_method=\"Evaluate\"";
  EXPECT_THAT(metrics, HasSubstr("grpc_server_started_total{" + evaluate + "} "));
  EXPECT_THAT(metrics, HasSubstr("grpc_server_handled_total{" + evaluate + ",grpc_code=\"OK\"} "));
  EXPECT_THAT(metrics, HasSubstr("grpc_server_handling_seconds_bucket{" + evaluate + ",le=\"+Inf\"} "));
  EXPECT_THAT(metrics, HasSubstr("grpc_server_handled_total{grpc_type=\"unary\",grpc_service=\"detect.v1."
                                 "DetectionService\",grpc_method=\"GetRule\",grpc_code=\"NotFound\"} 1"));
}

TEST_F(ServerTest, ListAndGetRules) {
  grpc::ClientContext ctx;
  v1::ListRulesResponse list;
  ASSERT_TRUE(server_->stub->ListRules(&ctx, v1::ListRulesRequest(), &list).ok());
  EXPECT_EQ(static_cast<size_t>(list.rules_size()), server_->daemon->rule_store().Current()->size());
  EXPECT_EQ(list.rule_set_version(), server_->daemon->rule_store().Current()->version());
  grpc::ClientContext ctx2;
  v1::GetRuleRequest get;
  get.set_rule_id(kSeedRule);
  v1::GetRuleResponse rule;
  ASSERT_TRUE(server_->stub->GetRule(&ctx2, get, &rule).ok());
  EXPECT_EQ(rule.rule().display_name(), "EKS Anonymous API Access Detected");
  EXPECT_EQ(rule.rule().mitre_attack(0).tactic(), "TA0001");
  grpc::ClientContext ctx3;
  get.set_rule_id("nope");
  EXPECT_EQ(server_->stub->GetRule(&ctx3, get, &rule).error_code(), grpc::StatusCode::NOT_FOUND);
}

TEST_F(ServerTest, DescribeRuleMatchesTheOfflineAnalysis) {
  grpc::ClientContext ctx;
  v1::DescribeRuleRequest request;
  request.set_rule_id(kSeedRule);
  v1::DescribeRuleResponse response;
  ASSERT_TRUE(server_->stub->DescribeRule(&ctx, request, &response).ok());
  EXPECT_EQ(response.rule().rule_id(), kSeedRule);
  ASSERT_EQ(response.mitre_attack_size(), 1);
  EXPECT_EQ(response.mitre_attack(0).tactic_name(), "Initial Access");
  EXPECT_EQ(response.mitre_attack(0).technique_name(), "Exploit Public-Facing Application");
  EXPECT_THAT(response.condition(), ::testing::Contains("user.username eq \"system:anonymous\""));
  EXPECT_EQ(response.indexed_by(), "user.username eq \"system:anonymous\"");
  ASSERT_GE(response.exclusions_size(), 2);
  EXPECT_EQ(response.exclusions(0).predicates(0).field(), "sourceIPs");
  EXPECT_THAT(response.output_fields(), ::testing::Contains("requestURI"));
  EXPECT_THAT(response.text(), HasSubstr("| userAgent | eq | \"ELB-HealthChecker/2.0\" |"));
  grpc::ClientContext ctx2;
  request.set_rule_id("nope");
  EXPECT_EQ(server_->stub->DescribeRule(&ctx2, request, &response).error_code(), grpc::StatusCode::NOT_FOUND);
}

}  // namespace
}  // namespace detect::test_support
