// Security properties of the real detectd binary, configured by its flags: event payloads never reach its logs
// (nor its metrics), the limits set by flags hold (message size, events per message, event size, concurrent
// streams, whose slots abandoned streams give back), and mTLS set by flags refuses clients without a
// certificate on unary calls and streams alike while the plaintext health port serves health only.
// tests/integration/tls_test.cc covers the certificate cases in-process (no certificate, another CA, expired
// client or server certificate); tests/helm/test_dockerfile.py checks that the image runs as a non-root user.
#include <signal.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <thread>

#include "absl/strings/match.h"
#include "gmock/gmock.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "grpcpp/impl/codegen/client_unary_call.h"
#include "grpcpp/impl/codegen/rpc_method.h"
#include "grpcpp/impl/codegen/sync_stream.h"
#include "gtest/gtest.h"
#include "proto/audit_event_json.h"
#include "tests/reliability/detectd_process.h"
#include "tests/reliability/reliability_events.h"
#include "tests/testing/wire_encoding.h"

namespace detect::test_support {
namespace {

using ::testing::HasSubstr;

constexpr char kMarker[] = "Zq9xPAYLOADMARKERq7Jw";

std::string WithMarker(const std::string& format) {
  std::string out = format;
  for (size_t at; (at = out.find("@M")) != std::string::npos;) out.replace(at, 2, kMarker);
  return out;
}

grpc::ByteBuffer Bytes(const std::string& data) {
  grpc::Slice slice(data);
  return grpc::ByteBuffer(&slice, 1);
}

grpc::Status RawUnary(grpc::Channel* channel, const std::string& request, grpc::ByteBuffer* response) {
  const grpc::internal::RpcMethod method("/detect.v1.DetectionService/Evaluate", grpc::internal::RpcMethod::NORMAL_RPC);
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  return grpc::internal::BlockingUnaryCall<grpc::ByteBuffer, grpc::ByteBuffer>(channel, method, &ctx, Bytes(request),
                                                                               response);
}

// Sends `messages` (raw bytes) on one stream, half-closes, reads everything; the responses' bytes are appended to
// `seen`. Returns the stream's status.
grpc::Status RawStream(grpc::Channel* channel, const std::vector<std::string>& messages, std::string* seen) {
  const grpc::internal::RpcMethod method("/detect.v1.DetectionService/StreamEvaluate",
                                         grpc::internal::RpcMethod::BIDI_STREAMING);
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  std::unique_ptr<grpc::ClientReaderWriter<grpc::ByteBuffer, grpc::ByteBuffer>> stream(
      grpc::internal::ClientReaderWriterFactory<grpc::ByteBuffer, grpc::ByteBuffer>::Create(channel, method, &ctx));
  for (const std::string& m : messages) {
    if (!stream->Write(Bytes(m))) break;
  }
  stream->WritesDone();
  grpc::ByteBuffer response;
  while (stream->Read(&response)) {
    std::vector<grpc::Slice> slices;
    if (!response.Dump(&slices).ok()) continue;
    for (const grpc::Slice& s : slices) seen->append(reinterpret_cast<const char*>(s.begin()), s.size());
  }
  return stream->Finish();
}

// Event payloads never appear in detectd's output, whatever happens to them: matched (the marker rendered into
// titles and dedup strings), unmatched, malformed JSON, not an object, over the size limit, a typed event with
// bad UTF-8, an unknown log type, a request that is not an EvaluateRequest, a message over the size limit;
// unary and streaming; then a reload and a drain. Param: --log_format. The engine reports no per-rule errors
// today (a rule never fails on one event: type mismatches are false), so there is no rule error to provoke.
class PayloadLoggingTest : public ::testing::TestWithParam<std::string> {};

TEST_P(PayloadLoggingTest, EventPayloadsNeverReachTheLogs) {
  std::string error;
  std::unique_ptr<DetectdProcess> detectd = DetectdProcess::Start(
      {"--rules=rules", "--max_event_bytes=4096", "--max_message_bytes=65536", "--log_format=" + GetParam()},
      &error);
  ASSERT_NE(detectd, nullptr) << error;
  auto channel = detectd->Channel();
  const std::vector<std::string> seed = SeedEvents();
  std::string anonymous = seed[0];  // Matches the seed rule, whose dedup string holds the user agent.
  anonymous.replace(anonymous.find("kubectl/v1.25.4"), 15, kMarker);
  const std::string exec = WithMarker(
      R"({"kind":"Event","apiVersion":"audit.k8s.io/v1","verb":"create","user":{"username":"@M-user","groups":["@M"]},)"
      R"("objectRef":{"resource":"pods","subresource":"exec","namespace":"@M-ns","name":"@M-pod"},)"
      R"("requestURI":"/api/v1/namespaces/@M/pods/@M/exec?command=@M","sourceIPs":["@M"],"userAgent":"@M",)"
      R"("annotations":{"@M":"@M"},"requestObject":{"@M":["@M",{"@M":1}]},"responseStatus":{"code":101,)"
      R"("message":"@M"},"p_log_type":"Amazon.EKS.Audit"})");
  const std::vector<std::string> raw_events = {
      anonymous, exec,
      WithMarker(R"({"user":{"username":"@M")"),                                       // Malformed JSON.
      WithMarker(R"(["@M","@M"])"),                                                    // Not an object.
      WithMarker(R"({"verb":"get","pad":")") + std::string(5000, 'x') + kMarker + "\"}",  // Over max_event_bytes.
  };
  v1::EvaluateRequest request;
  for (size_t i = 0; i < raw_events.size(); ++i) {
    v1::Event* e = request.add_events();
    e->set_id(absl::StrCat(kMarker, "-raw-", i));
    e->set_json(raw_events[i]);
  }
  for (const std::string& json : {anonymous, exec}) {  // Typed forms.
    v1::Event* e = request.add_events();
    e->set_id(absl::StrCat(kMarker, "-typed"));
    ASSERT_TRUE(AuditEventFromJson(json, e->mutable_audit_event()).ok());
  }
  v1::Event* unknown_type = request.add_events();
  unknown_type->set_log_type(kMarker);
  unknown_type->set_json(exec);
  // A typed event whose verb is not UTF-8: built as bytes (the generated classes refuse to).
  v1::AuditEvent bad_utf8;
  bad_utf8.set_verb(absl::StrCat(kMarker, "X"));
  bad_utf8.set_user_agent(kMarker);
  std::string bad_bytes = bad_utf8.SerializeAsString();
  bad_bytes[bad_bytes.find(absl::StrCat(kMarker, "X")) + sizeof(kMarker) - 1] = '\xff';
  const std::string request_bytes = request.SerializeAsString() +
                                    LengthDelimited(1, LengthDelimited(1, kMarker) + LengthDelimited(3, bad_bytes));
  const std::string garbage = "\x0a\x7f" + std::string(kMarker);  // Field 1 claims 127 bytes: truncated.
  std::string oversized_bytes;
  {
    v1::EvaluateRequest oversized;
    for (int i = 0; i < 40; ++i) oversized.add_events()->set_json(std::string(2000, 'y') + kMarker);
    oversized_bytes = oversized.SerializeAsString();
    ASSERT_GT(oversized_bytes.size(), 65536u);
  }

  grpc::ByteBuffer response;
  ASSERT_TRUE(RawUnary(channel.get(), request_bytes, &response).ok());
  std::vector<grpc::Slice> slices;
  ASSERT_TRUE(response.Dump(&slices).ok());
  std::string answered;
  for (const grpc::Slice& s : slices) answered.append(reinterpret_cast<const char*>(s.begin()), s.size());
  v1::EvaluateResponse parsed;
  ASSERT_TRUE(parsed.ParseFromString(answered));
  ASSERT_EQ(parsed.results_size(), 9);
  // The marker did go through the engine: rendered into a title, and named in per-event errors.
  EXPECT_THAT(parsed.results(1).ShortDebugString(), HasSubstr(absl::StrCat("[", kMarker, "-user] executed into pod")));
  for (int i : {2, 3, 4, 8}) EXPECT_TRUE(parsed.results(i).has_error()) << i;
  EXPECT_EQ(RawUnary(channel.get(), garbage, &response).error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(RawUnary(channel.get(), oversized_bytes, &response).error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  std::string streamed;
  EXPECT_TRUE(RawStream(channel.get(), {request_bytes, garbage, request_bytes}, &streamed).ok());
  EXPECT_THAT(streamed, HasSubstr(kMarker));
  EXPECT_EQ(RawStream(channel.get(), {request_bytes, oversized_bytes}, &streamed).error_code(),
            grpc::StatusCode::RESOURCE_EXHAUSTED);

  const std::string metrics = detectd->Metrics();
  EXPECT_THAT(metrics, HasSubstr("detectd_event_errors_total"));
  EXPECT_EQ(metrics.find(kMarker), std::string::npos) << "the marker is in /metrics";
  ASSERT_TRUE(detectd->Signal(SIGHUP));
  ASSERT_TRUE(Eventually([&] { return absl::StrContains(detectd->Log(), "SIGHUP"); }));
  channel.reset();  // An idle open connection would hold the drain for about 5 s (gRPC waits for it to close).
  ASSERT_TRUE(detectd->Signal(SIGTERM));
  ASSERT_TRUE(detectd->WaitExit(std::chrono::seconds(30)));
  EXPECT_EQ(detectd->exit_status(), 0);
  const std::string log = detectd->Log();
  EXPECT_THAT(log, HasSubstr("serving"));
  EXPECT_THAT(log, HasSubstr("drained"));
  EXPECT_EQ(log.find(kMarker), std::string::npos) << "an event payload reached the log:\n" << log;
  EXPECT_EQ(log.find("PAYLOADMARKER"), std::string::npos) << "part of an event payload reached the log";
  std::printf("LOGGING format=%s log_bytes=%zu log_lines=%zu marker_in_log=%s marker_in_responses=yes\n",
              GetParam().c_str(), log.size(), static_cast<size_t>(std::count(log.begin(), log.end(), '\n')),
              log.find(kMarker) == std::string::npos ? "no" : "YES");
}

INSTANTIATE_TEST_SUITE_P(LogFormat, PayloadLoggingTest, ::testing::Values("json", "text"),
                         [](const ::testing::TestParamInfo<std::string>& info) { return info.param; });

// The limits as set by detectd's flags (the integration tests set them through DaemonOptions).
TEST(LimitsTest, LimitsSetByFlagsHold) {
  std::string error;
  std::unique_ptr<DetectdProcess> detectd =
      DetectdProcess::Start({"--rules=rules", "--max_message_bytes=65536", "--max_events_per_request=50",
                             "--max_event_bytes=2048", "--max_concurrent_streams=4"},
                            &error);
  ASSERT_NE(detectd, nullptr) << error;
  auto channel = detectd->Channel();
  auto stub = v1::DetectionService::NewStub(channel);
  const std::string seed = SeedEvents()[0];
  auto call = [&](const v1::EvaluateRequest& request, v1::EvaluateResponse* response) {
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    return stub->Evaluate(&ctx, request, response);
  };
  v1::EvaluateResponse response;

  // --max_message_bytes: unary and on a stream.
  v1::EvaluateRequest big;
  for (int i = 0; i < 40; ++i) big.add_events()->set_json("{\"pad\":\"" + std::string(1800, 'p') + "\"}");
  ASSERT_GT(big.ByteSizeLong(), 65536u);
  grpc::Status status = call(big, &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED) << status.error_message();
  {
    grpc::ClientContext ctx;
    auto stream = stub->StreamEvaluate(&ctx);
    stream->Write(big);
    EXPECT_FALSE(stream->Read(&response));
    EXPECT_EQ(stream->Finish().error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  }
  // --max_events_per_request: 51 events refused, 50 answered.
  v1::EvaluateRequest many;
  for (int i = 0; i < 51; ++i) many.add_events()->set_json(seed);
  status = call(many, &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(status.error_message(), HasSubstr("max_events_per_request is 50"));
  many.mutable_events()->RemoveLast();
  EXPECT_TRUE(call(many, &response).ok());
  EXPECT_EQ(response.results_size(), 50);
  // --max_event_bytes: JSON and typed events over 2048 bytes get a per-event error; the others are answered.
  v1::EvaluateRequest sized;
  sized.add_events()->set_json("{\"verb\":\"get\",\"pad\":\"" + std::string(2100, 'q') + "\"}");
  v1::AuditEvent typed;
  ASSERT_TRUE(AuditEventFromJson(seed, &typed).ok());
  typed.set_user_agent(std::string(2100, 'u'));
  *sized.add_events()->mutable_audit_event() = typed;
  sized.add_events()->set_json(seed);
  ASSERT_TRUE(call(sized, &response).ok());
  ASSERT_EQ(response.results_size(), 3);
  EXPECT_THAT(response.results(0).error().message(), HasSubstr("max_event_bytes 2048"));
  EXPECT_THAT(response.results(1).error().message(), HasSubstr("max_event_bytes 2048"));
  EXPECT_FALSE(response.results(2).has_error());

  // --max_concurrent_streams: of 12 streams opened at once, exactly 4 are served; the others are refused.
  auto open_many = [&](int n, int* served, int* refused) {
    std::vector<std::unique_ptr<grpc::ClientContext>> contexts;
    std::vector<std::unique_ptr<grpc::ClientReaderWriter<v1::EvaluateRequest, v1::EvaluateResponse>>> streams(
        static_cast<size_t>(n));
    std::vector<int> outcome(static_cast<size_t>(n), 0);  // 1 served, 2 refused.
    std::vector<std::thread> threads;
    for (int i = 0; i < n; ++i) contexts.push_back(std::make_unique<grpc::ClientContext>());
    for (int i = 0; i < n; ++i) {
      threads.emplace_back([&, i] {
        const size_t k = static_cast<size_t>(i);
        streams[k] = v1::DetectionService::NewStub(channel)->StreamEvaluate(contexts[k].get());
        v1::EvaluateRequest one;
        one.add_events()->set_json(seed);
        v1::EvaluateResponse r;
        streams[k]->Write(one);
        outcome[k] = streams[k]->Read(&r) ? 1 : 2;
      });
    }
    for (std::thread& t : threads) t.join();
    *served = *refused = 0;
    for (int i = 0; i < n; ++i) {
      const size_t k = static_cast<size_t>(i);
      if (outcome[k] == 1) {
        ++*served;
        streams[k]->WritesDone();
        EXPECT_TRUE(streams[k]->Finish().ok());
      } else {
        ++*refused;
        const grpc::Status s = streams[k]->Finish();
        EXPECT_EQ(s.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
        EXPECT_THAT(s.error_message(), HasSubstr("max_concurrent_streams is 4"));
      }
    }
  };
  int served = 0, refused = 0;
  open_many(12, &served, &refused);
  EXPECT_EQ(served, 4);
  EXPECT_EQ(refused, 8);
  // Abandoned streams (cancelled mid-stream) give their slots back.
  for (int i = 0; i < 40; ++i) {
    grpc::ClientContext ctx;
    auto stream = stub->StreamEvaluate(&ctx);
    stream->Write(many);
    ctx.TryCancel();
    (void)stream->Finish();
  }
  ASSERT_TRUE(Eventually([&] { return detectd->Metric("detectd_streams_in_flight") == 0; }));
  // A stream the client cancelled before the server saw it may still reach the server now and hold a slot for
  // a moment (slow builds such as ASan's show it), so the check is that the slots come back, within a few
  // tries; a leaked slot never does. The limit is never exceeded on any try.
  int tries = 0;
  do {
    ++tries;
    open_many(6, &served, &refused);
    EXPECT_LE(served, 4);
    EXPECT_EQ(served + refused, 6);
  } while (served != 4 && tries < 20);
  EXPECT_EQ(served, 4) << "abandoned streams kept their slots";
  EXPECT_EQ(refused, 2);
  std::printf("LIMITS max_message_bytes=65536 max_events_per_request=50 max_event_bytes=2048 "
              "max_concurrent_streams=4: all enforced; after 40 cancelled streams %d of 6 served (try %d)\n",
              served, tries);
}

class MutualTlsByFlagsTest : public ::testing::Test {
 protected:
  static std::shared_ptr<grpc::ChannelCredentials> Creds(const TempDir& certs, bool with_client_cert) {
    grpc::SslCredentialsOptions ssl;
    ssl.pem_root_certs = ReadWholeFile(certs.Sub("ca.pem"));
    if (with_client_cert) {
      ssl.pem_cert_chain = ReadWholeFile(certs.Sub("client.pem"));
      ssl.pem_private_key = ReadWholeFile(certs.Sub("client.key"));
    }
    return grpc::SslCredentials(ssl);
  }
};

// mTLS configured by flags: the real binary refuses a client without a certificate on unary calls and on
// streams; the plaintext health port answers health checks only, so it is no way around mTLS.
TEST_F(MutualTlsByFlagsTest, ClientsWithoutACertificateAreRefusedAndTheHealthPortServesHealthOnly) {
  TempDir certs;
  ASSERT_EQ(std::system(("bash " + SourceDir() + "/tests/integration/make_test_certs.sh " + certs.path()).c_str()), 0)
      << "openssl (a test dependency) could not make certificates";
  std::string error;
  std::unique_ptr<DetectdProcess> detectd = DetectdProcess::Start(
      {"--rules=rules", "--tls_cert=" + certs.Sub("server.pem"), "--tls_key=" + certs.Sub("server.key"),
       "--tls_client_ca=" + certs.Sub("ca.pem"), "--health_listen=127.0.0.1:0"},
      &error);
  ASSERT_NE(detectd, nullptr) << error;
  const std::string seed = SeedEvents()[0];
  v1::EvaluateRequest request;
  request.add_events()->set_json(seed);
  auto unary = [&](std::shared_ptr<grpc::Channel> channel) {
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    v1::EvaluateResponse response;
    return v1::DetectionService::NewStub(channel)->Evaluate(&ctx, request, &response);
  };
  auto stream = [&](std::shared_ptr<grpc::Channel> channel) {
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    auto s = v1::DetectionService::NewStub(channel)->StreamEvaluate(&ctx);
    s->Write(request);
    s->WritesDone();
    v1::EvaluateResponse response;
    int answers = 0;
    while (s->Read(&response)) ++answers;
    const grpc::Status status = s->Finish();
    return status.ok() && answers != 1 ? grpc::Status(grpc::StatusCode::UNKNOWN, "OK without an answer") : status;
  };
  EXPECT_TRUE(unary(detectd->Channel(Creds(certs, true))).ok());
  EXPECT_TRUE(stream(detectd->Channel(Creds(certs, true))).ok());
  EXPECT_EQ(unary(detectd->Channel(Creds(certs, false))).error_code(), grpc::StatusCode::UNAVAILABLE);
  EXPECT_EQ(stream(detectd->Channel(Creds(certs, false))).error_code(), grpc::StatusCode::UNAVAILABLE);
  EXPECT_FALSE(unary(detectd->Channel()).ok()) << "plaintext to the TLS port";

  const int health_port = detectd->ServingField("health_port");
  ASSERT_GT(health_port, 0);
  auto health_channel =
      grpc::CreateChannel(absl::StrCat("127.0.0.1:", health_port), grpc::InsecureChannelCredentials());
  {
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    grpc::health::v1::HealthCheckResponse health;
    ASSERT_TRUE(grpc::health::v1::Health::NewStub(health_channel)->Check(&ctx, {}, &health).ok());
    EXPECT_EQ(health.status(), grpc::health::v1::HealthCheckResponse::SERVING);
  }
  EXPECT_EQ(unary(health_channel).error_code(), grpc::StatusCode::UNIMPLEMENTED);
  EXPECT_EQ(stream(health_channel).error_code(), grpc::StatusCode::UNIMPLEMENTED);
  grpc::ClientContext ctx;
  v1::ListRulesResponse rules;
  EXPECT_EQ(v1::DetectionService::NewStub(health_channel)->ListRules(&ctx, {}, &rules).error_code(),
            grpc::StatusCode::UNIMPLEMENTED);
}

}  // namespace
}  // namespace detect::test_support
