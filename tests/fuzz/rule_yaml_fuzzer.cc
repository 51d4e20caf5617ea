// libFuzzer target: bytes -> one rule file -> RuleSetBuilder::AddFile + Build, in both OnRuleError modes. When
// the file compiles, its rule is evaluated against a few fixed events (index and rule-by-rule, see
// EvaluateBothWays), its Tests run as `detectctl test` runs them, and it is analysed as `describe` does. Any
// input may produce issues; none may crash, hang or break an invariant of the results.
#include <cstddef>
#include <cstdint>
#include <string>

#include "engine/analysis/rule_analysis.h"
#include "engine/compiler.h"
#include "engine/json_event.h"
#include "engine/rule_set.h"
#include "tests/fuzz/fuzz_support.h"

namespace detect::fuzz {
namespace {

constexpr const char* kEvents[] = {
    R"({"kind":"Event","verb":"create","user":{"username":"system:anonymous","groups":["system:masters"]},)"
    R"("sourceIPs":["203.0.113.9","10.0.0.1"],"userAgent":"kubectl/v1.29.3","requestURI":"/api/v1/namespaces/)"
    R"(default/pods/x/exec?command=tar","objectRef":{"resource":"pods","namespace":"kube-system","name":"x",)"
    R"("subresource":"exec"},"responseStatus":{"code":403},"annotations":{"authorization.k8s.io/decision":)"
    R"("allow"},"requestObject":{"spec":{"hostNetwork":true,"containers":[{"name":"c","image":"busybox",)"
    R"("securityContext":{"privileged":true,"capabilities":{"add":["SYS_ADMIN"]}}}]}},)"
    R"("p_log_type":"Amazon.EKS.Audit"})",
    R"({"verb":"get","user":{"username":"alice","extra":{"arn":["arn:aws:iam::123456789012:role/x"]}},)"
    R"("sourceIPs":[],"responseStatus":{"code":200.5},"n":-1,"list":[1,2.5,"3",null,true,{},[]]})",
    R"({})",
    R"({"p_log_type":"Other.Type","a":{"b":[[{"c":"\u00e9\u0000"}]]},"user":null,"sourceIPs":"1.2.3.4"})",
};

void RunRuleTests(const RuleSet& rules, JsonEventParser& parser, EvalScratch& scratch, bool utf8_in) {
  // The runner's path (engine/testing/test_runner.cc RunOne): parse the Log, EvaluateRule, read the match.
  EvalResult result;
  for (size_t i = 0; i < rules.size(); ++i) {
    for (const RuleTest& test : rules.rule(i).tests) {
      absl::StatusOr<Value> event = parser.Parse(test.log_json);
      if (!event.ok()) continue;
      result.Clear();
      rules.EvaluateRule(i, *event, scratch, result);
      for (const Match& m : result.matches) CheckMatch(rules, m, utf8_in);
    }
  }
}

void Exercise(const RuleSet& rules, bool utf8_in) {
  static JsonEventParser* const parser = new JsonEventParser(FuzzOptions());
  static EvalScratch* const scratch = new EvalScratch();
  for (const char* json : kEvents) {
    absl::StatusOr<Value> event = parser->Parse(json);
    if (!event.ok()) Die("a fixed event does not parse: " + std::string(event.status().message()));
    EvaluateBothWays(rules, *event, *scratch, utf8_in);
  }
  RunRuleTests(rules, *parser, *scratch, utf8_in);
  for (size_t i = 0; i < rules.size(); ++i) {
    const RuleAnalysis analysis = AnalyzeRule(rules, i);
    (void)FormatRuleAnalysisText(analysis);
    (void)FormatRuleAnalysisJson(analysis);
  }
  (void)FormatCoverageText(rules);
}

}  // namespace
}  // namespace detect::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace detect;
  const std::string text(reinterpret_cast<const char*>(data), size);
  const bool utf8_in = fuzz::IsUtf8(text);
  size_t abort_rules = 0;
  for (OnRuleError mode : {OnRuleError::kAbort, OnRuleError::kSkip}) {
    RuleSetBuilder builder(fuzz::FuzzOptions());
    builder.AddFile("fuzz.yml", text);
    CompileResult result = std::move(builder).Build(mode);
    for (const RuleIssue& issue : result.issues()) {
      if (issue.message.empty()) fuzz::Die("an issue without a message");
      (void)issue.ToStringWithSource();
    }
    (void)result.FormatIssues();
    const bool has_set = result.rule_set() != nullptr;
    if (mode == OnRuleError::kAbort) {
      if (has_set != result.IsValid()) fuzz::Die("kAbort built a rule set despite errors, or none without");
      abort_rules = has_set ? result.rule_set()->size() : 0;
    } else {
      if (!has_set) fuzz::Die("kSkip built no rule set");
      if (result.IsValid() && result.rule_set()->size() != abort_rules) {
        fuzz::Die("kSkip and kAbort disagree on a valid file");
      }
    }
    // A valid file gives the same set in both modes: evaluate the kSkip one, which always exists.
    if (mode == OnRuleError::kSkip) fuzz::Exercise(*result.rule_set(), utf8_in);
  }
  return 0;
}
