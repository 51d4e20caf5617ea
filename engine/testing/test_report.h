// Printers of a TestReport: Panther-like text, one JSON object, and JUnit XML for CI systems.
#ifndef DETECT_ENGINE_TESTING_TEST_REPORT_H_
#define DETECT_ENGINE_TESTING_TEST_REPORT_H_

#include <string>

#include "engine/testing/test_runner.h"

namespace detect {

// `[PASS]`/`[FAIL]` per test under its rule, with title, dedup and severity of matches, then load issues and
// a summary line.
std::string FormatTestReportText(const TestReport& report);
// {"rules", "tests", "passed", "failed", "errors", "issues": [...], "results": [...]}.
std::string FormatTestReportJson(const TestReport& report);
// <testsuites> with one <testsuite> per rule and one for load errors.
std::string FormatTestReportJunit(const TestReport& report);

}  // namespace detect

#endif  // DETECT_ENGINE_TESTING_TEST_REPORT_H_
