// Helpers for engine tests: compile rules from YAML text and evaluate JSON events in one call.
#ifndef DETECT_TESTS_TESTING_ENGINE_FIXTURES_H_
#define DETECT_TESTS_TESTING_ENGINE_FIXTURES_H_

#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "engine/compiler.h"
#include "engine/json_event.h"
#include "engine/rule_set.h"
#include "gtest/gtest.h"
#include "tests/testing/test_files.h"

namespace detect::test_support {

// A path under the source tree: $DETECT_SOURCE_DIR (set by ctest) or the working directory.
inline std::string SourcePath(const std::string& relative) {
  const char* root = std::getenv("DETECT_SOURCE_DIR");
  return root != nullptr ? std::string(root) + "/" + relative : relative;
}

// One bundled rule file (rules/aws_eks/NAME), compiled under its base name so that locations in golden output do
// not depend on where the checkout is; fails the test on errors.
inline std::shared_ptr<const RuleSet> LoadBundledRule(const std::string& name) {
  RuleSetBuilder builder;
  builder.AddFile(name, ReadWholeFile(SourcePath("rules/aws_eks/" + name)));
  CompileResult r = std::move(builder).Build();
  EXPECT_TRUE(r.IsValid()) << r.FormatIssues();
  return r.ReleaseRuleSet();
}

// Compiles one rule file's text (named `file` in issues); fails the test on errors unless `expect_errors`.
inline CompileResult CompileText(const std::string& yaml, const std::string& file = "rule.yml",
                                 EngineOptions options = EngineOptions()) {
  RuleSetBuilder builder(std::move(options));
  builder.AddFile(file, yaml);
  return std::move(builder).Build(OnRuleError::kAbort);
}

inline std::shared_ptr<const RuleSet> MustCompile(const std::string& yaml, EngineOptions options = EngineOptions()) {
  CompileResult result = CompileText(yaml, "rule.yml", std::move(options));
  EXPECT_TRUE(result.IsValid()) << result.FormatIssues();
  return result.ReleaseRuleSet();
}

// A rule file around a Detection block (indented list items, as written in YAML) with `extra` top-level keys.
inline std::string RuleWithDetection(const std::string& detection, const std::string& extra = "") {
  return "AnalysisType: rule\nRuleID: test.rule\nDisplayName: Test Rule\nEnabled: true\n"
         "LogTypes: [Amazon.EKS.Audit]\nSeverity: Medium\nDetection:\n" +
         detection + "\n" + extra;
}

// A rule file `id` whose Detection is the one item `condition` (flow style, e.g. "{Key: a, Condition: Exists}"),
// with `extra` top-level keys (each line ending in a newline) before it.
inline std::string Rule(const std::string& id, const std::string& condition, const std::string& extra = "") {
  return absl::StrCat("AnalysisType: rule\nRuleID: ", id, "\nEnabled: true\nLogTypes: [Amazon.EKS.Audit]\n",
                      "Severity: Medium\n", extra, "Detection:\n  - ", condition, "\n");
}

// Evaluates one JSON event; returns the matches (fails the test on a bad event).
inline EvalResult EvalJson(const RuleSet& rules, const std::string& json) {
  JsonEventParser parser(rules.options());
  EvalScratch scratch;
  EvalResult result;
  absl::Status s = rules.EvaluateJson(json, "", parser, scratch, result);
  EXPECT_TRUE(s.ok()) << s;
  return result;
}

// A Detection block that matches every event, for tests of what a match carries.
inline constexpr char kMatchAll[] = "  - Condition: AlwaysTrue";

// The one match of `event` under the rule file `yaml` (fails the test unless it compiles and there is exactly
// one); its `rule` is cleared, as the rule set dies here.
inline Match OnlyMatch(const std::string& yaml, const std::string& event) {
  auto rules = MustCompile(yaml);
  if (rules == nullptr) return Match();
  EvalResult result = EvalJson(*rules, event);
  EXPECT_EQ(result.matches.size(), 1u);
  Match m = result.matches.empty() ? Match() : result.matches[0];
  m.rule = nullptr;
  return m;
}

}  // namespace detect::test_support

#endif  // DETECT_TESTS_TESTING_ENGINE_FIXTURES_H_
