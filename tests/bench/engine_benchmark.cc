// Google Benchmark targets for the engine's inner parts: JSON parse, path lookup, each condition kind,
// template rendering, and whole-event evaluation with one rule and with many. Rules compile outside the loop
// and evaluate inside it.
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "benchmark/benchmark.h"
#include "engine/compiler.h"
#include "engine/json_event.h"
#include "engine/rule_set.h"

namespace detect {
namespace {

constexpr char kEvent[] = R"({"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"Metadata","auditID":"d976bfc6-a2bc-49d5-bdeb-074441e0b875","stage":"ResponseComplete","requestURI":"/api/v1/namespaces/payments/pods/web-7c9d/exec?command=sh&container=app","verb":"create","user":{"username":"alice@example.com","groups":["system:authenticated","devs"]},"sourceIPs":["44.238.138.237"],"userAgent":"kubectl/v1.29.1 (darwin/arm64) kubernetes/bc401b9","objectRef":{"resource":"pods","namespace":"payments","name":"web-7c9d","apiVersion":"v1","subresource":"exec"},"responseStatus":{"metadata":{},"code":101},"requestReceivedTimestamp":"2024-11-13T18:34:10.595141Z","stageTimestamp":"2024-11-13T18:34:10.595494Z","annotations":{"authorization.k8s.io/decision":"allow","authorization.k8s.io/reason":"RBAC: allowed"},"p_log_type":"Amazon.EKS.Audit","p_source_label":"prod-eks-logs"})";

std::shared_ptr<const RuleSet> CompileOrDie(const std::vector<std::string>& files) {
  RuleSetBuilder builder;
  for (size_t i = 0; i < files.size(); ++i) builder.AddFile(absl::StrCat("b", i, ".yml"), files[i]);
  CompileResult r = std::move(builder).Build();
  if (!r.IsValid()) {
    std::fprintf(stderr, "%s", r.FormatIssues().c_str());
    std::abort();
  }
  return r.ReleaseRuleSet();
}

std::string RuleText(const std::string& id, const std::string& detection, const std::string& extra = "") {
  return absl::StrCat("AnalysisType: rule\nRuleID: ", id, "\nEnabled: true\nLogTypes: [Amazon.EKS.Audit]\n",
                      "Severity: Medium\nDetection:\n", detection, "\n", extra);
}

void RunEval(benchmark::State& state, const RuleSet& rules) {
  JsonEventParser parser;
  EvalScratch scratch;
  EvalResult result;
  for (auto _ : state) {
    result.Clear();
    if (!rules.EvaluateJson(kEvent, "", parser, scratch, result).ok()) state.SkipWithError("bad event");
    benchmark::DoNotOptimize(result.matches.data());
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(state.iterations() * (sizeof(kEvent) - 1));
}

void BM_ParseOnly(benchmark::State& state) {
  JsonEventParser parser;
  for (auto _ : state) benchmark::DoNotOptimize(parser.Parse(kEvent));
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ParseOnly);

// One condition of each kind, over the same event (the rule does not match, so only the condition runs).
void BM_Condition(benchmark::State& state, const char* condition) {
  auto rules = CompileOrDie({RuleText("c", condition)});
  RunEval(state, *rules);
}
BENCHMARK_CAPTURE(BM_Condition, Equals, "  - {KeyPath: user.username, Condition: Equals, Value: 'system:anonymous'}");
BENCHMARK_CAPTURE(BM_Condition, StartsWith, "  - {Key: userAgent, Condition: StartsWith, Value: 'ELB-'}");
BENCHMARK_CAPTURE(BM_Condition, IContains, "  - {Key: requestURI, Condition: IContains, Value: 'TOKEN'}");
BENCHMARK_CAPTURE(BM_Condition, IsInMany, "  - {KeyPath: user.username, Condition: IsIn, Values: [a, b, c, d, e, f, g, h, i, j, k]}");
BENCHMARK_CAPTURE(BM_Condition, GreaterThan, "  - {KeyPath: responseStatus.code, Condition: IsGreaterThanOrEquals, Value: 400}");
BENCHMARK_CAPTURE(BM_Condition, IsIPAddressPrivate, "  - {KeyPath: 'sourceIPs[0]', Condition: IsIPAddressPrivate}");
BENCHMARK_CAPTURE(BM_Condition, InCidr, "  - {KeyPath: 'sourceIPs[0]', Condition: IsIPAddressInCIDR, Values: [10.0.0.0/8, 172.16.0.0/12]}");
BENCHMARK_CAPTURE(BM_Condition, Matches, "  - {Key: requestURI, Condition: Matches, Value: 'command=(tar|cp)(&|$)'}");
BENCHMARK_CAPTURE(BM_Condition, AnyElement, "  - Key: sourceIPs\n    Condition: AnyElement\n    Expressions:\n      - {KeyPath: $, Condition: IsIPAddressPrivate}");
BENCHMARK_CAPTURE(BM_Condition, DeepPath, "  - {KeyPath: 'objectRef.subresource', Condition: Equals, Value: attach}");

// Rendering of alert fields: a matching rule with a title, dedup, summary attributes and alert context.
void BM_RenderMatch(benchmark::State& state) {
  auto rules = CompileOrDie({RuleText(
      "m", "  - {Key: verb, Condition: Equals, Value: create}",
      "AlertTitle: '[{user.username|<UNKNOWN_USER>}] executed into pod [{objectRef.namespace}/{objectRef.name}]'\n"
      "AlertDedup: 'k8s_exec_{user.username}_{objectRef.namespace}_{objectRef.name}'\n"
      "SummaryAttributes: ['user:username', p_any_ip_addresses, p_source_label]\n"
      "AlertContext:\n  - KeyName: uri\n    KeyValue: {Key: requestURI}\n")});
  RunEval(state, *rules);
}
BENCHMARK(BM_RenderMatch);

// Many rules that the index keeps away from this event: the cost of rules that cannot match.
void BM_ManyIndexedRules(benchmark::State& state) {
  std::vector<std::string> files;
  for (int i = 0; i < state.range(0); ++i) {
    files.push_back(RuleText(absl::StrCat("r", i),
                             absl::StrCat("  - {KeyPath: objectRef.namespace, Condition: Equals, Value: team-", i, "}\n",
                                          "  - {Key: userAgent, Condition: StartsWith, Value: 'tool-", i, "/'}")));
  }
  auto rules = CompileOrDie(files);
  RunEval(state, *rules);
}
BENCHMARK(BM_ManyIndexedRules)->Arg(10)->Arg(100)->Arg(1000);

}  // namespace
}  // namespace detect

BENCHMARK_MAIN();
