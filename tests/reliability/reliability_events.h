// The events of the reliability tests and the engine's own verdict on them. The pool is the four seed events
// (tests/testdata/seed_events.ndjson), 256 lines of realistic EKS traffic (tests/testdata/eks_audit_256.ndjson:
// `gen_eks_audit.py 256 --seed 7 --anomaly-rate 0.25` from the shared bench tools, kept as data) and events
// generated here from a fixed seed (std::mt19937's sequence is fixed by the standard), which vary the fields the
// pack's rules read: principals, verbs, resources, subresources, namespaces, source addresses, status codes and
// pod specs. Each pool event carries its JSON text, its typed form (serialized AuditEvent) when the typed form
// evaluates exactly as the JSON does, and the expected matches from RuleSet::EvaluateJson in this process.
#ifndef DETECT_TESTS_RELIABILITY_RELIABILITY_EVENTS_H_
#define DETECT_TESTS_RELIABILITY_RELIABILITY_EVENTS_H_

#include <cstdint>
#include <fstream>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "detect/v1/detect.pb.h"
#include "engine/compiler.h"
#include "engine/rule_set.h"
#include "engine/json_event.h"
#include "gtest/gtest.h"
#include "proto/audit_event_json.h"
#include "proto/audit_event_wire.h"
#include "tests/testing/test_files.h"

namespace detect::test_support {

struct PoolEvent {
  std::string json;
  std::string typed;                  // Serialized v1::AuditEvent; empty: send as raw JSON only.
  std::vector<std::string> expected;  // "rule_id|severity|title|dedup" per match, in rule order.
};

// "rule_id|severity|title|dedup" per match of a response's EventResult (severity as the v1::Severity number).
inline std::vector<std::string> ResultKeys(const v1::EventResult& result) {
  std::vector<std::string> keys;
  for (const v1::Match& m : result.matches()) {
    keys.push_back(absl::StrCat(m.rule_id(), "|", m.severity(), "|", m.title(), "|", m.dedup()));
  }
  return keys;
}

// `n` audit events from `seed`: the same text on every run and platform.
inline std::vector<std::string> GeneratedEvents(int n, uint32_t seed) {
  std::mt19937 rng(seed);
  auto pick = [&](const auto& options) { return options[rng() % (sizeof(options) / sizeof(options[0]))]; };
  static const char* const kUsers[] = {"system:anonymous", "system:node:ip-10-0-1-7.ec2.internal",
                                       "system:serviceaccount:kube-system:replicaset-controller",
                                       "system:serviceaccount:web:default", "kubernetes-admin", "alice@example.com",
                                       "eks:node-manager", "system:kube-proxy"};
  static const char* const kVerbs[] = {"get", "list", "watch", "create", "update", "patch", "delete"};
  static const char* const kResources[] = {"pods", "secrets", "services", "configmaps", "clusterrolebindings",
                                           "roles", "daemonsets", "cronjobs", "serviceaccounts", "nodes"};
  static const char* const kSubresources[] = {"", "", "", "exec", "attach", "portforward", "proxy", "token", "log"};
  static const char* const kNamespaces[] = {"default", "kube-system", "kube-public", "web", "payments", ""};
  static const char* const kIps[] = {"10.0.3.7", "192.168.4.20", "8.8.8.8", "185.220.101.4", "44.238.19.2",
                                     "2001:db8::7", "172.16.0.9"};
  static const char* const kAgents[] = {"kubectl/v1.29.1 (linux/amd64) kubernetes/bc401b9", "curl/8.4.0",
                                        "python-requests/2.31.0", "kubelet/v1.29.3 (linux/amd64) kubernetes/6813625"};
  static const int kCodes[] = {200, 200, 200, 201, 401, 403, 404, 409};
  std::vector<std::string> events;
  for (int i = 0; i < n; ++i) {
    const std::string user = pick(kUsers), verb = pick(kVerbs), resource = pick(kResources);
    const std::string sub = pick(kSubresources), ns = pick(kNamespaces), ip = pick(kIps);
    const int code = pick(kCodes);
    const std::string name = absl::StrFormat("obj-%04x", rng() % 65536);
    std::string uri = ns.empty() ? absl::StrCat("/api/v1/", resource, "/", name)
                                 : absl::StrCat("/api/v1/namespaces/", ns, "/", resource, "/", name);
    if (!sub.empty()) absl::StrAppend(&uri, "/", sub);
    std::string object = absl::StrCat(R"({"apiVersion":"v1","resource":")", resource, R"(","name":")", name, "\"");
    if (!ns.empty()) absl::StrAppend(&object, R"(,"namespace":")", ns, "\"");
    if (!sub.empty()) absl::StrAppend(&object, R"(,"subresource":")", sub, "\"");
    object += "}";
    std::string request_object;
    if (verb == "create" && resource == "pods") {
      const bool privileged = rng() % 2 == 0, host_network = rng() % 3 == 0, host_path = rng() % 3 == 0;
      request_object = absl::StrCat(
          R"(,"requestObject":{"kind":"Pod","spec":{"hostNetwork":)", host_network ? "true" : "false",
          R"(,"containers":[{"name":"app","image":"nginx:1.25","securityContext":{"privileged":)",
          privileged ? "true" : "false", R"(}}])",
          host_path ? R"(,"volumes":[{"name":"h","hostPath":{"path":"/var/run/docker.sock"}}])" : "", "}}");
    } else if (verb == "create" && resource == "services") {
      request_object = absl::StrCat(R"(,"requestObject":{"kind":"Service","spec":{"type":")",
                                    rng() % 2 == 0 ? "NodePort" : "ClusterIP", R"("}})");
    }
    events.push_back(absl::StrCat(
        R"({"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"RequestResponse","auditID":"gen-)", seed, "-", i,
        R"(","stage":"ResponseComplete","requestURI":")", uri, R"(","verb":")", verb,
        R"(","user":{"username":")", user, R"(","groups":["system:authenticated"]},"sourceIPs":[")", ip,
        R"("],"userAgent":")", pick(kAgents), R"(","objectRef":)", object, R"(,"responseStatus":{"code":)", code,
        R"(},"requestReceivedTimestamp":"2024-11-13T18:00:)", absl::StrFormat("%02d", i % 60),
        R"(.000000Z","annotations":{"authorization.k8s.io/decision":")", code == 403 ? "forbid" : "allow",
        R"(","authorization.k8s.io/reason":""},"p_log_type":"Amazon.EKS.Audit","p_source_label":"gen-eks-logs")",
        request_object, "}"));
  }
  return events;
}

inline std::shared_ptr<const RuleSet> CompileRules(const std::string& rules_path) {
  RuleSetBuilder builder;
  EXPECT_TRUE(builder.AddPath(rules_path).ok());
  CompileResult compiled = std::move(builder).Build();
  EXPECT_TRUE(compiled.IsValid()) << compiled.FormatIssues();
  return compiled.ReleaseRuleSet();
}

inline std::vector<std::string> EngineKeys(const RuleSet& rules, const EvalResult& result) {
  std::vector<std::string> keys;
  for (const Match& m : result.matches) {
    keys.push_back(absl::StrCat(m.rule->id, "|", static_cast<int>(m.severity) + 1, "|", m.title, "|", m.dedup));
  }
  return keys;
}

// The pool, with expectations from `rules_path` compiled in this process.
inline std::vector<PoolEvent> EventPool(const std::string& rules_path, int generated = 512, uint32_t seed = 20241113) {
  std::vector<std::string> texts = SeedEvents();
  const std::vector<std::string> eks = ReadLines("tests/testdata/eks_audit_256.ndjson");
  EXPECT_EQ(texts.size(), 4u);
  EXPECT_EQ(eks.size(), 256u);
  texts.insert(texts.end(), eks.begin(), eks.end());
  const std::vector<std::string> gen = GeneratedEvents(generated, seed);
  texts.insert(texts.end(), gen.begin(), gen.end());

  const std::shared_ptr<const RuleSet> rules = CompileRules(rules_path);
  JsonEventParser parser;
  EvalScratch scratch;
  EvalResult result;
  AuditEventWire wire;
  std::vector<PoolEvent> pool;
  for (std::string& text : texts) {
    PoolEvent e;
    result.Clear();
    EXPECT_TRUE(rules->EvaluateJson(text, "", parser, scratch, result).ok()) << text;
    e.expected = EngineKeys(*rules, result);
    // Typed too when the AuditEvent model keeps everything the rules read (checked here, in-process).
    v1::AuditEvent typed;
    if (AuditEventFromJson(text, &typed).ok()) {
      std::string bytes = typed.SerializeAsString();
      result.Clear();
      if (wire.Reset(bytes).ok()) {
        rules->Evaluate(wire.root(), "", scratch, result);
        if (EngineKeys(*rules, result) == e.expected) e.typed = std::move(bytes);
      }
    }
    e.json = std::move(text);
    pool.push_back(std::move(e));
  }
  return pool;
}

// Adds pool event `index` to `request` with id `id`, typed if `typed` and the event has a typed form.
inline void AddEvent(const PoolEvent& e, const std::string& id, bool typed, v1::EvaluateRequest* request) {
  v1::Event* event = request->add_events();
  event->set_id(id);
  if (typed && !e.typed.empty()) {
    event->mutable_audit_event()->ParseFromString(e.typed);
  } else {
    event->set_json(e.json);
  }
}

}  // namespace detect::test_support

#endif  // DETECT_TESTS_RELIABILITY_RELIABILITY_EVENTS_H_
