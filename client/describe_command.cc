// `detectctl describe --rules PATH RULE_ID` and `detectctl coverage --rules PATH`: rule analysis, offline.
#include <cstdio>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "client/commands.h"
#include "client/flags.h"
#include "client/rule_loading.h"
#include "engine/analysis/rule_analysis.h"
#include "version/program_help.h"

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
  const int index = rules->FindRule(args[0]);
  if (index < 0) {
    std::vector<std::string> ids;
    for (size_t i = 0; i < rules->size(); ++i) ids.push_back(rules->rule(i).id);
    const std::string near = version::Nearest(args[0], ids);
    std::fprintf(stderr, "detectctl describe: no rule %s in %s%s\n", args[0].c_str(),
                 absl::GetFlag(FLAGS_rules).c_str(), near.empty() ? "" : (" (did you mean " + near + "?)").c_str());
    return 1;
  }
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
