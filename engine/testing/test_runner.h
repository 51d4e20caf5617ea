// The offline rule-test runner behind `detectctl test`: runs every rule's `Tests:` and returns the results as
// data (printers are in test_report.h). Beyond Panther's ExpectedResult it checks ExpectedTitle, ExpectedDedup,
// ExpectedSeverity and ExpectedAlertContext when a test gives them.
#ifndef DETECT_ENGINE_TESTING_TEST_RUNNER_H_
#define DETECT_ENGINE_TESTING_TEST_RUNNER_H_

#include <optional>
#include <string>
#include <vector>

#include "engine/options.h"
#include "engine/rule.h"
#include "engine/source_location.h"

namespace detect {

struct TestCaseResult {
  std::string rule_id;
  std::string test_name;
  SourceLocation location;
  bool passed = false;
  bool expected_result = false;
  bool actual_result = false;
  // Alert fields when the rule matched.
  std::string title;
  std::string dedup;
  std::optional<Severity> severity;
  std::string alert_context_json;
  std::vector<std::string> failures;  // Why it failed, one line each.
  // With TestSelection::explain, for a failed test: the rule explained on the test's event.
  std::string explanation_text;
  std::string explanation_json;
};

// Which rules `detectctl test` runs, and what it demands of them.
struct TestSelection {
  std::vector<std::string> rule_filters;  // Rule ids or shell globs ("Kubernetes.Pod.*"); empty: every rule.
  // A rule with fewer tests fails (an error issue at its RuleID); from 2 on it also needs at least one test
  // expecting true and one expecting false (like panther_analysis_tool --minimum-tests). 0: no demand.
  size_t minimum_tests = 0;
  bool explain = false;  // Explain the rule on the event of each failed test.
};

struct TestReport {
  size_t rules = 0;   // Rules loaded (with or without tests).
  size_t tests = 0;
  size_t passed = 0;
  size_t failed = 0;
  std::vector<RuleIssue> issues;  // Load errors and warnings.
  std::vector<TestCaseResult> results;

  size_t errors() const;  // Issues that are errors: each makes the run fail.
  bool ok() const { return failed == 0 && errors() == 0; }
};

// Loads the rule files or directories in `paths` (bad rules are reported and skipped, never counted as
// passed) and runs every test of every loaded rule, enabled or not.
TestReport RunRuleTests(const std::vector<std::string>& paths, const EngineOptions& options,
                        const TestSelection& selection = TestSelection());

}  // namespace detect

#endif  // DETECT_ENGINE_TESTING_TEST_RUNNER_H_
