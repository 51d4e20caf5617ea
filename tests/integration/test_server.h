// In-process detectd for integration tests: the same Daemon main() runs, on 127.0.0.1:0, plus clients
// (detect.v1 and grpc.health.v1) and helpers to read the seed events and the engine's own verdict on them.
#ifndef DETECT_TESTS_INTEGRATION_TEST_SERVER_H_
#define DETECT_TESTS_INTEGRATION_TEST_SERVER_H_

#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "detect/v1/detect.grpc.pb.h"
#include "engine/compiler.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "gtest/gtest.h"
#include "proto/audit_event_json.h"
#include "server/daemon.h"
#include "tests/testing/eventually.h"
#include "tests/testing/test_files.h"

namespace detect::test_support {

inline server::DaemonOptions TestOptions(const std::string& rules_path) {
  server::DaemonOptions o;
  o.rules_path = rules_path;
  o.listen = "127.0.0.1:0";
  o.metrics_listen = "127.0.0.1:0";
  o.health_listen = "127.0.0.1:0";
  o.shutdown_grace = absl::Seconds(5);
  o.watch_rules = false;
  o.watch_debounce = absl::Milliseconds(100);
  return o;
}

inline std::shared_ptr<grpc::Channel> Connect(int port, std::shared_ptr<grpc::ChannelCredentials> creds = nullptr,
                                              grpc::ChannelArguments args = grpc::ChannelArguments()) {
  args.SetMaxReceiveMessageSize(-1);
  return grpc::CreateCustomChannel(absl::StrCat("127.0.0.1:", port),
                                   creds != nullptr ? creds : grpc::InsecureChannelCredentials(), args);
}

// A started daemon and a plaintext client of it.
struct TestServer {
  explicit TestServer(server::DaemonOptions options) {
    auto started = server::Daemon::Start(std::move(options));
    EXPECT_TRUE(started.ok()) << started.status();
    if (!started.ok()) return;
    daemon = *std::move(started);
    stub = v1::DetectionService::NewStub(Connect(daemon->port()));
  }
  std::unique_ptr<server::Daemon> daemon;
  std::unique_ptr<v1::DetectionService::Stub> stub;
};

inline grpc::health::v1::HealthCheckResponse::ServingStatus HealthStatus(int port, const std::string& service = "") {
  auto stub = grpc::health::v1::Health::NewStub(Connect(port));
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
  grpc::health::v1::HealthCheckRequest request;
  request.set_service(service);
  grpc::health::v1::HealthCheckResponse response;
  grpc::Status status = stub->Check(&ctx, request, &response);
  return status.ok() ? response.status() : grpc::health::v1::HealthCheckResponse::UNKNOWN;
}

// One Event per JSON text, typed (AuditEvent) or raw, ids `prefix` + position.
inline v1::EvaluateRequest MakeRequest(const std::vector<std::string>& events, bool raw,
                                       const std::string& prefix = "") {
  v1::EvaluateRequest request;
  int n = 0;
  for (const std::string& json : events) {
    v1::Event* e = request.add_events();
    e->set_id(absl::StrCat(prefix, ++n));
    if (raw || !AuditEventFromJson(json, e->mutable_audit_event()).ok()) e->set_json(json);
  }
  return request;
}

// "rule_id|Severity-number|title|dedup" per match: the comparable part of an EventResult.
inline std::vector<std::string> MatchKeys(const v1::EventResult& result) {
  std::vector<std::string> keys;
  for (const v1::Match& m : result.matches()) {
    keys.push_back(absl::StrCat(m.rule_id(), "|", m.severity(), "|", m.title(), "|", m.dedup()));
  }
  return keys;
}

// The engine's own verdict on `events` (evaluated in-process, no gRPC), as MatchKeys per event.
inline std::vector<std::vector<std::string>> ExpectedMatchKeys(const std::string& rules_path,
                                                               const std::vector<std::string>& events) {
  RuleSetBuilder builder;
  EXPECT_TRUE(builder.AddPath(rules_path).ok());
  CompileResult compiled = std::move(builder).Build();
  EXPECT_TRUE(compiled.IsValid()) << compiled.FormatIssues();
  std::shared_ptr<const RuleSet> rules = compiled.ReleaseRuleSet();
  JsonEventParser parser;
  EvalScratch scratch;
  std::vector<std::vector<std::string>> out;
  for (const std::string& json : events) {
    EvalResult result;
    EXPECT_TRUE(rules->EvaluateJson(json, "", parser, scratch, result).ok());
    std::vector<std::string> keys;
    for (const Match& m : result.matches) {
      keys.push_back(absl::StrCat(m.rule->id, "|", static_cast<int>(m.severity) + 1, "|", m.title, "|", m.dedup));
    }
    out.push_back(keys);
  }
  return out;
}

}  // namespace detect::test_support

#endif  // DETECT_TESTS_INTEGRATION_TEST_SERVER_H_
