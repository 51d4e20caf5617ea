// `detectctl describe --rules PATH RULE_ID` and `detectctl coverage --rules PATH`: rule analysis, offline.
#include <cstdio>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "client/commands.h"
#include "client/flags.h"
#include "client/rule_loading.h"
#include "engine/analysis/rule_analysis.h"

namespace detect::client {

int RunDescribe(const Args& args) {
  const std::string format = absl::GetFlag(FLAGS_format);
  if (args.size() != 1 || (format != "text" && format != "json")) {
    std::fprintf(stderr, "usage: detectctl describe (--rules PATH | --server ADDR) [--format text|json] RULE_ID\n");
    return 2;
  }
#ifdef DETECT_WITH_GRPC
  if (absl::GetFlag(FLAGS_rules).empty()) return RunDescribeRemote(args);  // What the server serves.
#endif
  auto rules = LoadRulesFromFlags("describe");
  if (rules == nullptr) return 1;
  const int index = FindRuleOrSuggest(*rules, args[0], "describe");
  if (index < 0) return 1;
  const RuleAnalysis analysis = AnalyzeRule(*rules, index);
  const std::string out = format == "json" ? FormatRuleAnalysisJson(analysis) : FormatRuleAnalysisText(analysis);
  std::fwrite(out.data(), 1, out.size(), stdout);
  return 0;
}

int RunCoverage(const Args& args) {
  const std::string format = absl::GetFlag(FLAGS_format);
  if (!args.empty() || (format != "text" && format != "json")) {
    std::fprintf(stderr, "usage: detectctl coverage --rules PATH [--format text|json]\n");
    return 2;
  }
  auto rules = LoadRulesFromFlags("coverage");
  if (rules == nullptr) return 1;
  const std::string out = format == "json" ? FormatCoverageJson(*rules) : FormatCoverageText(*rules);
  std::fwrite(out.data(), 1, out.size(), stdout);
  return 0;
}

}  // namespace detect::client
