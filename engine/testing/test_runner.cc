// Runs rule tests through the same compile and evaluate path the service uses.
#include "engine/testing/test_runner.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "engine/compiler.h"
#include "engine/internal/evaluator.h"
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
  auto event = parser.Parse(test.log_json);
  if (!event.ok()) {
    r.failures.push_back(absl::StrCat("Log: ", event.status().message()));
    return r;
  }
  result.Clear();
  rules.EvaluateRule(index, *event, scratch, result);
  for (const RuleError& e : result.errors) r.failures.push_back(absl::StrCat("rule error: ", e.message));
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

}  // namespace

size_t TestReport::errors() const {
  return std::count_if(issues.begin(), issues.end(),
                       [](const RuleIssue& i) { return i.severity == RuleIssue::Severity::kError; });
}

TestReport RunRuleTests(const std::vector<std::string>& paths, const EngineOptions& options) {
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
  report.rules = rules->size();
  JsonEventParser parser(options);
  EvalScratch scratch;
  EvalResult result;
  for (size_t i = 0; i < rules->size(); ++i) {
    for (const RuleTest& test : rules->rule(i).tests) {
      report.results.push_back(RunOne(*rules, i, test, parser, scratch, result));
      ++report.tests;
      ++(report.results.back().passed ? report.passed : report.failed);
    }
  }
  return report;
}

}  // namespace detect
