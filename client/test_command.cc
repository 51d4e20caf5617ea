// `detectctl test PATH...`: runs the rules' unit tests offline and prints them as text, JSON or JUnit.
#include <cstdio>

#include "absl/flags/flag.h"
#include "absl/strings/str_split.h"
#include "client/commands.h"
#include "client/flags.h"
#include "client/rule_loading.h"
#include "engine/testing/test_report.h"
#include "engine/testing/test_runner.h"

namespace detect::client {

int RunTest(const Args& args) {
  if (args.empty()) {
    std::fprintf(stderr, "usage: detectctl test [--format text|json|junit] [--strict] [--json_read dom|ondemand] [--filter IDS] [--minimum-tests N] [--explain] PATH...\n");
    return 2;
  }
  const std::string format = absl::GetFlag(FLAGS_format);
  if (format != "text" && format != "json" && format != "junit") {
    std::fprintf(stderr, "detectctl test: --format must be text, json or junit, not \"%s\"\n", format.c_str());
    return 2;
  }
  EngineOptions options;
  options.reject_unknown_keys = absl::GetFlag(FLAGS_strict);
  if (!JsonReadFromFlag("test", &options)) return 2;
  TestSelection selection;
  selection.rule_filters = absl::StrSplit(absl::GetFlag(FLAGS_filter), ',', absl::SkipWhitespace());
  if (absl::GetFlag(FLAGS_minimum_tests) < 0) {
    std::fprintf(stderr, "detectctl test: --minimum-tests must be 0 or more\n");
    return 2;
  }
  selection.minimum_tests = static_cast<size_t>(absl::GetFlag(FLAGS_minimum_tests));
  selection.explain = absl::GetFlag(FLAGS_explain);
  const TestReport report = RunRuleTests(args, options, selection);
  const std::string out = format == "json"    ? FormatTestReportJson(report)
                          : format == "junit" ? FormatTestReportJunit(report)
                                              : FormatTestReportText(report);
  std::fwrite(out.data(), 1, out.size(), stdout);
  return report.ok() ? 0 : 1;
}

}  // namespace detect::client
