// OTLP logs ingest: log bodies to event JSON (string and kvlist, p_source_label from k8s.cluster.name),
// OtlpLogsIngest's partial success and limit, LogsService/Export over a real gRPC channel (overload answered
// UNAVAILABLE), and the OTLP/HTTP handler's encodings and error bodies.
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "gmock/gmock.h"
#include "google/protobuf/util/json_util.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "grpcpp/security/server_credentials.h"
#include "grpcpp/server_builder.h"
#include "gtest/gtest.h"
#include "server/ingest/otlp_event.h"
#include "server/ingest/otlp_grpc_service.h"
#include "server/ingest/otlp_http_handler.h"
#include "server/ingest/otlp_logs.h"
#include "tests/mocks/mock_evaluator.h"

namespace detect::server {
namespace {

using opentelemetry::proto::collector::logs::v1::ExportLogsServiceRequest;
using opentelemetry::proto::collector::logs::v1::ExportLogsServiceResponse;
using opentelemetry::proto::collector::logs::v1::LogsService;
using opentelemetry::proto::common::v1::AnyValue;
using ::testing::_;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Invoke;
using ::testing::StrictMock;

AnyValue FromJson(const std::string& json) {
  AnyValue v;
  EXPECT_TRUE(google::protobuf::util::JsonStringToMessage(json, &v).ok()) << json;
  return v;
}

std::string EventJson(const AnyValue& body, absl::string_view label = "") {
  std::string storage;
  absl::StatusOr<absl::string_view> out = OtlpEventJson(body, label, &storage);
  return out.ok() ? std::string(*out) : "error: " + std::string(out.status().message());
}

TEST(OtlpEventTest, StringBodyIsTheEventUnchanged) {
  AnyValue body;
  body.set_string_value(R"( {"verb":"get"})");
  std::string storage;
  absl::StatusOr<absl::string_view> out = OtlpEventJson(body, "", &storage);
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(out->data(), body.string_value().data());  // A view, not a copy.
  EXPECT_EQ(EventJson(body, "prod"), R"({"p_source_label":"prod","verb":"get"})");
  body.set_string_value(R"({"verb":"get","p_source_label":"own"})");
  EXPECT_EQ(EventJson(body, "prod"), R"({"verb":"get","p_source_label":"own"})");
  body.set_string_value("{ }");
  EXPECT_EQ(EventJson(body, "c\"1"), R"({"p_source_label":"c\"1" })");
}

TEST(OtlpEventTest, KvlistBodyBecomesTheEquivalentObject) {
  const AnyValue body = FromJson(R"({"kvlistValue":{"values":[
      {"key":"verb","value":{"stringValue":"create"}},
      {"key":"code","value":{"intValue":"403"}},
      {"key":"ok","value":{"boolValue":false}},
      {"key":"ratio","value":{"doubleValue":0.1}},
      {"key":"raw","value":{"bytesValue":"AAE="}},
      {"key":"none","value":{}},
      {"key":"user","value":{"kvlistValue":{"values":[{"key":"groups","value":{"arrayValue":{"values":[
          {"stringValue":"a"},{"intValue":2}]}}}]}}},
      {"key":"verb","value":{"stringValue":"delete"}}]}})");
  EXPECT_EQ(EventJson(body),
            R"({"code":403,"ok":false,"ratio":0.10000000000000001,"raw":"AAE=","none":null,)"
            R"("user":{"groups":["a",2]},"verb":"delete"})");
  EXPECT_EQ(EventJson(FromJson(R"({"kvlistValue":{"values":[{"key":"a","value":{"intValue":1}}]}})"), "eks"),
            R"({"p_source_label":"eks","a":1})");
  EXPECT_EQ(EventJson(FromJson(R"({"kvlistValue":{}})"), "eks"), R"({"p_source_label":"eks"})");
}

TEST(OtlpEventTest, BodiesThatAreNotEventsAreNamed) {
  EXPECT_THAT(EventJson(AnyValue()), HasSubstr("no body"));
  EXPECT_THAT(EventJson(FromJson(R"({"stringValue":"GET /healthz 200"})")), HasSubstr("not a JSON object"));
  EXPECT_THAT(EventJson(FromJson(R"({"intValue":"7"})")), HasSubstr("neither"));
  EXPECT_THAT(EventJson(FromJson(R"({"arrayValue":{}})")), HasSubstr("neither"));
  AnyValue deep;
  AnyValue* v = &deep;
  for (int i = 0; i < kOtlpMaxBodyDepth + 2; ++i) {
    auto* kv = v->mutable_kvlist_value()->add_values();
    kv->set_key("k");
    v = kv->mutable_value();
  }
  EXPECT_THAT(EventJson(deep), HasSubstr("nested deeper"));
}

// A request: resources of (cluster name, bodies as AnyValue JSON).
ExportLogsServiceRequest Request(const std::vector<std::pair<std::string, std::vector<std::string>>>& resources) {
  ExportLogsServiceRequest r;
  for (const auto& [cluster, bodies] : resources) {
    auto* rl = r.add_resource_logs();
    if (!cluster.empty()) {
      auto* kv = rl->mutable_resource()->add_attributes();
      kv->set_key("k8s.cluster.name");
      kv->mutable_value()->set_string_value(cluster);
    }
    auto* sl = rl->add_scope_logs();
    for (const std::string& b : bodies) *sl->add_log_records()->mutable_body() = FromJson(b);
  }
  return r;
}

// Answers each event with one match, or an error when its JSON contains "bad".
auto MatchOrError(std::vector<std::string>* seen) {
  return [seen](const RequestView& request, v1::EvaluateResponse* response) {
    response->Clear();
    for (const EventView& e : request.events) {
      seen->emplace_back(e.data);
      v1::EventResult* r = response->add_results();
      if (e.data.find("bad") != absl::string_view::npos) {
        r->mutable_error()->set_code(3);
        r->mutable_error()->set_message("malformed event JSON");
      } else {
        r->add_matches()->set_rule_id("rule.a");
      }
    }
  };
}

TEST(OtlpLogsIngestTest, EvaluatesEveryRecordAndReportsTheRejected) {
  StrictMock<MockEvaluator> evaluator;
  IngestMetrics metrics;
  std::vector<std::string> seen;
  EXPECT_CALL(evaluator, Evaluate(_, _)).WillOnce(Invoke(MatchOrError(&seen)));
  OtlpLogsIngest ingest(&evaluator, &metrics, IngestEndpoint::kOtlpGrpc, {});
  ExportLogsServiceResponse response;
  ASSERT_TRUE(ingest
                  .Export(Request({{"prod", {R"({"stringValue":"{\"verb\":\"get\"}"})", R"({"intValue":"1"})"}},
                                   {"", {R"({"stringValue":"{\"bad\":"})", R"({"stringValue":"{}"})"}}}),
                          &response)
                  .ok());
  EXPECT_THAT(seen, ElementsAre(R"({"p_source_label":"prod","verb":"get"})", R"({"bad":)", "{}"));
  EXPECT_EQ(response.partial_success().rejected_log_records(), 2);
  EXPECT_THAT(response.partial_success().error_message(),
              HasSubstr("2 of 4 log records rejected: log record 1: body is neither"));
  EXPECT_THAT(response.partial_success().error_message(), HasSubstr("log record 2: malformed event JSON"));
  EXPECT_EQ(metrics.events(IngestEndpoint::kOtlpGrpc), 4u);
  std::string page;
  metrics.AppendPrometheus(&page);
  EXPECT_THAT(page, HasSubstr(R"(detectd_ingest_errors_total{endpoint="otlp_grpc",reason="bad_record"} 1)"));
  EXPECT_THAT(page, HasSubstr(R"(detectd_ingest_errors_total{endpoint="otlp_grpc",reason="event"} 1)"));
}

TEST(OtlpLogsIngestTest, AllTakenLeavesPartialSuccessUnsetAndTheLimitRefusesWholeRequests) {
  StrictMock<MockEvaluator> evaluator;
  IngestMetrics metrics;
  std::vector<std::string> seen;
  EXPECT_CALL(evaluator, Evaluate(_, _)).WillOnce(Invoke(MatchOrError(&seen)));
  OtlpLogsIngest ingest(&evaluator, &metrics, IngestEndpoint::kOtlpHttp, {2});
  ExportLogsServiceResponse response;
  const std::string event = R"({"stringValue":"{}"})";
  ASSERT_TRUE(ingest.Export(Request({{"", {event, event}}}), &response).ok());
  EXPECT_FALSE(response.has_partial_success());
  const absl::Status s = ingest.Export(Request({{"", {event}}, {"", {event, event}}}), &response);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(s.message(), HasSubstr("3 log records; the limit is 2"));
  EXPECT_EQ(seen.size(), 2u);  // The refused request evaluated nothing.
}

class OtlpGrpcTest : public ::testing::Test {
 protected:
  void Start(OtlpGrpcOptions options) {
    service_ = std::make_unique<OtlpLogsService>(&evaluator_, &metrics_, options);
    grpc::ServerBuilder builder;
    builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &port_);
    builder.RegisterService(service_.get());
    server_ = builder.BuildAndStart();
    ASSERT_NE(server_, nullptr);
    stub_ = LogsService::NewStub(
        grpc::CreateChannel("127.0.0.1:" + std::to_string(port_), grpc::InsecureChannelCredentials()));
  }
  void TearDown() override {
    if (server_ != nullptr) server_->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(2));
  }

  StrictMock<MockEvaluator> evaluator_;
  IngestMetrics metrics_;
  std::unique_ptr<OtlpLogsService> service_;
  std::unique_ptr<grpc::Server> server_;
  std::unique_ptr<LogsService::Stub> stub_;
  int port_ = 0;
};

TEST_F(OtlpGrpcTest, ExportAnswersPartialSuccessAndRefusesPastTheLimit) {
  OtlpGrpcOptions options;
  options.logs.max_records_per_request = 2;
  Start(options);
  std::vector<std::string> seen;
  EXPECT_CALL(evaluator_, Evaluate(_, _)).WillOnce(Invoke(MatchOrError(&seen)));
  ExportLogsServiceResponse response;
  grpc::ClientContext ctx;
  grpc::Status s = stub_->Export(&ctx, Request({{"eks", {R"({"stringValue":"{}"})", "{}"}}}), &response);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(response.partial_success().rejected_log_records(), 1);
  EXPECT_THAT(seen, ElementsAre(R"({"p_source_label":"eks"})"));
  grpc::ClientContext ctx2;
  s = stub_->Export(&ctx2, Request({{"", {"{}", "{}", "{}"}}}), &response);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  std::string page;
  metrics_.AppendPrometheus(&page);
  EXPECT_THAT(page, HasSubstr(R"(detectd_ingest_requests_total{endpoint="otlp_grpc",code="200"} 1)"));
  EXPECT_THAT(page, HasSubstr(R"(detectd_ingest_requests_total{endpoint="otlp_grpc",code="400"} 1)"));
}

TEST_F(OtlpGrpcTest, CallsPastTheConcurrencyLimitAreUnavailable) {
  OtlpGrpcOptions options;
  options.max_concurrent_exports = 1;
  Start(options);
  absl::Notification entered, release;
  EXPECT_CALL(evaluator_, Evaluate(_, _)).WillOnce(Invoke([&](const RequestView& r, v1::EvaluateResponse* out) {
    entered.Notify();
    release.WaitForNotification();
    EchoIds()(r, out);
  }));
  grpc::ClientContext held_ctx;
  ExportLogsServiceResponse held_response;
  absl::Notification held_done;
  grpc::Status held_status;
  const ExportLogsServiceRequest request = Request({{"", {R"({"stringValue":"{}"})"}}});
  stub_->async()->Export(&held_ctx, &request, &held_response, [&](grpc::Status s) {
    held_status = s;
    held_done.Notify();
  });
  ASSERT_TRUE(entered.WaitForNotificationWithTimeout(absl::Seconds(30)));
  grpc::ClientContext ctx;
  ExportLogsServiceResponse response;
  grpc::Status s = stub_->Export(&ctx, request, &response);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::UNAVAILABLE) << s.error_message();
  release.Notify();
  ASSERT_TRUE(held_done.WaitForNotificationWithTimeout(absl::Seconds(30)));
  EXPECT_TRUE(held_status.ok()) << held_status.error_message();
  std::string page;
  metrics_.AppendPrometheus(&page);
  EXPECT_THAT(page, HasSubstr(R"(detectd_ingest_errors_total{endpoint="otlp_grpc",reason="overloaded"} 1)"));
  EXPECT_THAT(page, HasSubstr(R"(detectd_ingest_requests_total{endpoint="otlp_grpc",code="503"} 1)"));
}

HttpResponse Post(const OtlpLogsIngest& ingest, IngestMetrics* metrics, std::string content_type, std::string body) {
  HttpRequest request;
  request.method = "POST";
  request.path = "/v1/logs";
  request.body = std::move(body);
  request.header = [content_type](const char* name) -> absl::string_view {
    return std::string(name) == "Content-Type" ? absl::string_view(content_type) : absl::string_view();
  };
  return HandleOtlpHttpLogs(ingest, metrics, request);
}

TEST(OtlpHttpTest, ProtobufAndJsonBodiesAnswerInTheirEncoding) {
  StrictMock<MockEvaluator> evaluator;
  IngestMetrics metrics;
  std::vector<std::string> seen;
  EXPECT_CALL(evaluator, Evaluate(_, _)).Times(2).WillRepeatedly(Invoke(MatchOrError(&seen)));
  OtlpLogsIngest ingest(&evaluator, &metrics, IngestEndpoint::kOtlpHttp, {});
  HttpResponse r = Post(ingest, &metrics, "application/x-protobuf",
                        Request({{"prod", {R"({"stringValue":"{\"verb\":\"get\"}"})"}}}).SerializeAsString());
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.content_type, "application/x-protobuf");
  ExportLogsServiceResponse response;
  ASSERT_TRUE(response.ParseFromString(r.body));
  EXPECT_FALSE(response.has_partial_success());
  // OTLP JSON as exporters write it: camelCase, enums as numbers, int64 as strings, hex trace ids, fields
  // detectd does not declare.
  r = Post(ingest, &metrics, "application/json; charset=utf-8", R"({"resourceLogs":[{
      "resource":{"attributes":[{"key":"k8s.cluster.name","value":{"stringValue":"eks-1"}}],"entityRefs":[]},
      "scopeLogs":[{"scope":{"name":"audit"},"logRecords":[
        {"timeUnixNano":"1700000000000000000","severityNumber":9,"traceId":"5b8efff798038103d269b633813fc60c",
         "spanId":"eee19b7ec3c1b174","body":{"kvlistValue":{"values":[{"key":"verb","value":{"stringValue":"list"}}]}}},
        {"body":{"stringValue":"not an event"},"eventName":"x","futureField":1}]}]}]})");
  EXPECT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.content_type, "application/json");
  EXPECT_EQ(r.body, R"({"partialSuccess":{"rejectedLogRecords":"1","errorMessage":"1 of 2 log records rejected: )"
                    R"j(log record 1: string body is not a JSON object (the audit event)"}})j");
  EXPECT_THAT(seen, ElementsAre(R"({"p_source_label":"prod","verb":"get"})",
                                R"({"p_source_label":"eks-1","verb":"list"})"));
}

TEST(OtlpHttpTest, UndecodableBodiesAndOtherTypesAreRefusedWithAStatus) {
  StrictMock<MockEvaluator> evaluator;  // Never called.
  IngestMetrics metrics;
  OtlpLogsIngest ingest(&evaluator, &metrics, IngestEndpoint::kOtlpHttp, {1});
  HttpResponse r = Post(ingest, &metrics, "application/json", R"({"resourceLogs":{)");
  EXPECT_EQ(r.status, 400);
  EXPECT_THAT(r.body, HasSubstr(R"({"code":3,"message":"body is not an OTLP JSON ExportLogsServiceRequest)"));
  r = Post(ingest, &metrics, "application/x-protobuf", "\x0a\xff");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.body, EncodeRpcStatus(3, "body is not a protobuf ExportLogsServiceRequest", false));
  r = Post(ingest, &metrics, "text/plain", "{}");
  EXPECT_EQ(r.status, 415);
  r = Post(ingest, &metrics, "application/x-protobuf", Request({{"", {"{}", "{}"}}}).SerializeAsString());
  EXPECT_EQ(r.status, 413);
  EXPECT_EQ(EncodeRpcStatus(3, "hi", false), std::string("\x08\x03\x12\x02hi", 6));
  std::string page;
  metrics.AppendPrometheus(&page);
  EXPECT_THAT(page, HasSubstr(R"(detectd_ingest_errors_total{endpoint="otlp_http",reason="bad_request"} 3)"));
  EXPECT_THAT(page, HasSubstr(R"(detectd_ingest_errors_total{endpoint="otlp_http",reason="too_many_events"} 1)"));
}

TEST(OtlpHttpTest, RefusalsBeforeTheHandlerBecomeAStatusInTheRequestsEncodingKeepingHeaders) {
  const auto refuse = [](const char* content_type, int status, const char* message) {
    HttpRequest request;
    request.header = [content_type](const char* name) -> absl::string_view {
      return absl::EqualsIgnoreCase(name, "Content-Type") ? content_type : "";
    };
    HttpResponse plain;
    plain.status = status;
    plain.body = absl::StrCat(message, "\n");
    plain.headers.emplace_back("Retry-After", "1");
    return OtlpHttpRefusal(request, std::move(plain));
  };
  HttpResponse r = refuse("application/json; charset=utf-8", 401, "missing or wrong bearer token");
  EXPECT_EQ(r.status, 401);
  EXPECT_EQ(r.content_type, "application/json");
  EXPECT_EQ(r.body, R"({"code":16,"message":"missing or wrong bearer token"})");
  EXPECT_THAT(r.headers, ElementsAre(std::make_pair(std::string("Retry-After"), std::string("1"))));
  r = refuse("application/x-protobuf", 429, "too many bytes in flight; retry later");
  EXPECT_EQ(r.status, 429);
  EXPECT_EQ(r.content_type, "application/x-protobuf");
  EXPECT_EQ(r.body, EncodeRpcStatus(8, "too many bytes in flight; retry later", false));
  EXPECT_EQ(refuse("", 408, "slow").body, EncodeRpcStatus(4, "slow", false));  // No type: protobuf, the default.
  EXPECT_EQ(refuse("application/json", 413, "big").body, R"({"code":8,"message":"big"})");
  EXPECT_EQ(refuse("application/json", 400, "bad gzip").body, R"({"code":3,"message":"bad gzip"})");
}

}  // namespace
}  // namespace detect::server
