// Runs rule tests through the same compile and evaluate path the service uses.
#include "engine/testing/test_runner.h"

#include <fnmatch.h>

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "engine/analysis/explain.h"
#include "engine/compiler.h"
#include "engine/eval/evaluator.h"
#include "engine/json_event.h"
#include "engine/rule_set.h"

namespace detect {
namespace {

// Compares two JSON texts as values (key order does not matter).
bool JsonEqual(const std::string& a, const std::string& b, std::string* why) {
  JsonEventParser pa, pb;
  auto va = pa.Parse(a), vb = pb.Parse(b);
  if (!va.ok() || !vb.ok()) {
    *why = "alert context is not a JSON object";
    return false;
  }
  return engine_internal::PyEquals(*va, *vb);
}

void CheckAlertFields(const RuleTest& test, const Match& m, TestCaseResult& r) {
  if (test.expected_title && *test.expected_title != m.title) {
    r.failures.push_back(absl::StrCat("title: expected \"", *test.expected_title, "\", got \"", m.title, "\""));
  }
  if (test.expected_dedup && *test.expected_dedup != m.dedup) {
    r.failures.push_back(absl::StrCat("dedup: expected \"", *test.expected_dedup, "\", got \"", m.dedup, "\""));
  }
  if (test.expected_severity && *test.expected_severity != m.severity) {
    r.failures.push_back(absl::StrCat("severity: expected ", SeverityName(*test.expected_severity), ", got ",
                                      SeverityName(m.severity)));
  }
  std::string why;
  if (test.expected_alert_context_json && !JsonEqual(*test.expected_alert_context_json, m.alert_context_json, &why)) {
    r.failures.push_back(absl::StrCat("alert context: expected ", *test.expected_alert_context_json, ", got ",
                                      m.alert_context_json, why.empty() ? "" : " (", why, why.empty() ? "" : ")"));
  }
}

TestCaseResult RunOne(const RuleSet& rules, size_t index, const RuleTest& test, JsonEventParser& parser,
                      EvalScratch& scratch, EvalResult& result) {
  TestCaseResult r;
  r.rule_id = rules.rule(index).id;
  r.test_name = test.name;
  r.location = test.location;
  r.expected_result = test.expected_result;
  auto event = rules.ParseJson(test.log_json, parser);
  if (!event.ok()) {
    r.failures.push_back(absl::StrCat("Log: ", event.status().message()));
    return r;
  }
  result.Clear();
  rules.EvaluateRule(index, *event, scratch, result);
  r.actual_result = !result.matches.empty();
  if (r.actual_result != r.expected_result) {
    r.failures.push_back(absl::StrCat("expected result ", r.expected_result ? "true" : "false", ", got ",
                                      r.actual_result ? "true" : "false"));
  }
  if (r.actual_result) {
    const Match& m = result.matches.front();
    r.title = m.title;
    r.dedup = m.dedup;
    r.severity = m.severity;
    r.alert_context_json = m.alert_context_json;
    if (r.expected_result) CheckAlertFields(test, m, r);
  }
  r.passed = r.failures.empty();
  return r;
}

// Whether `id` is one of `filters` (ids or fnmatch globs); everything when there are none.
bool Selected(const std::string& id, const std::vector<std::string>& filters) {
  if (filters.empty()) return true;
  for (const std::string& f : filters) {
    if (f == id || ::fnmatch(f.c_str(), id.c_str(), 0) == 0) return true;
  }
  return false;
}

void CheckMinimumTests(const RuleInfo& rule, size_t minimum, TestReport& report) {
  if (minimum == 0) return;
  size_t true_cases = 0;
  for (const RuleTest& t : rule.tests) true_cases += t.expected_result ? 1 : 0;
  const size_t false_cases = rule.tests.size() - true_cases;
  std::string problem;
  if (rule.tests.size() < minimum) {
    problem = absl::StrCat(rule.tests.size() == 1 ? "1 test" : absl::StrCat(rule.tests.size(), " tests"),
                           ", fewer than --minimum-tests ", minimum);
  } else if (minimum >= 2 && (true_cases == 0 || false_cases == 0)) {
    problem = absl::StrCat("no test expecting ", true_cases == 0 ? "true" : "false",
                           " (--minimum-tests ", minimum, " wants one true and one false case)");
  }
  if (problem.empty()) return;
  report.issues.push_back({RuleIssue::Severity::kError, rule.location, absl::StrCat("rule ", rule.id, ": ", problem)});
}

}  // namespace

size_t TestReport::errors() const {
  return std::count_if(issues.begin(), issues.end(),
                       [](const RuleIssue& i) { return i.severity == RuleIssue::Severity::kError; });
}

TestReport RunRuleTests(const std::vector<std::string>& paths, const EngineOptions& options,
                        const TestSelection& selection) {
  TestReport report;
  RuleSetBuilder builder(options);
  for (const std::string& path : paths) {
    absl::Status s = builder.AddPath(path);
    if (!s.ok()) report.issues.push_back({RuleIssue::Severity::kError, {path, 0, 0}, std::string(s.message())});
  }
  CompileResult compiled = std::move(builder).Build(OnRuleError::kSkip);
  report.issues.insert(report.issues.end(), compiled.issues().begin(), compiled.issues().end());
  std::shared_ptr<const RuleSet> rules = compiled.ReleaseRuleSet();
  if (rules == nullptr) return report;
  JsonEventParser parser(options);
  EvalScratch scratch;
  EvalResult result;
  for (size_t i = 0; i < rules->size(); ++i) {
    const RuleInfo& rule = rules->rule(i);
    if (!Selected(rule.id, selection.rule_filters)) continue;
    ++report.rules;
    CheckMinimumTests(rule, selection.minimum_tests, report);
    for (const RuleTest& test : rule.tests) {
      report.results.push_back(RunOne(*rules, i, test, parser, scratch, result));
      TestCaseResult& r = report.results.back();
      ++report.tests;
      ++(r.passed ? report.passed : report.failed);
      if (!r.passed && selection.explain) {
        absl::StatusOr<Value> event = rules->ParseJson(test.log_json, parser);
        if (!event.ok()) continue;
        const Explanation x = ExplainRule(*rules, i, *event);
        r.explanation_text = FormatExplanationText(x);
        r.explanation_json = FormatExplanationJson(x);
        while (!r.explanation_json.empty() && r.explanation_json.back() == '\n') r.explanation_json.pop_back();
      }
    }
  }
  if (!selection.rule_filters.empty() && report.rules == 0) {
    report.issues.push_back({RuleIssue::Severity::kError, {},
                             absl::StrCat("no rule matches --filter ", absl::StrJoin(selection.rule_filters, ","))});
  }
  return report;
}

}  // namespace detect
