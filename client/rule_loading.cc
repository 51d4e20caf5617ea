// Shared --rules loading of the offline subcommands.
#include "client/rule_loading.h"

#include <cstdio>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "client/flags.h"
#include "engine/compiler.h"
#include "version/program_help.h"

namespace detect::client {

std::shared_ptr<const RuleSet> LoadRulesFromFlags(const char* command) {
  const std::string path = absl::GetFlag(FLAGS_rules);
  if (path.empty()) {
    std::fprintf(stderr, "detectctl %s: --rules PATH is required\n", command);
    return nullptr;
  }
  EngineOptions options;
  options.reject_unknown_keys = absl::GetFlag(FLAGS_strict);
  if (!JsonReadFromFlag(command, &options)) return nullptr;
  if (!absl::GetFlag(FLAGS_log_type).empty()) options.default_log_type = absl::GetFlag(FLAGS_log_type);
  RuleSetBuilder builder(options);
  if (absl::Status s = builder.AddPath(path); !s.ok()) {
    std::fprintf(stderr, "detectctl %s: %s\n", command, std::string(s.message()).c_str());
    return nullptr;
  }
  CompileResult result =
      std::move(builder).Build(absl::GetFlag(FLAGS_skip_invalid) ? OnRuleError::kSkip : OnRuleError::kAbort);
  const std::string issues = result.FormatIssues();
  if (!issues.empty()) std::fputs(issues.c_str(), stderr);
  auto rules = result.ReleaseRuleSet();
  if (rules == nullptr) {
    std::fprintf(stderr, "detectctl %s: rules have errors (use --skip_invalid to load the valid ones)\n", command);
  }
  return rules;
}

bool JsonReadFromFlag(const char* command, EngineOptions* options) {
  const std::string read = absl::GetFlag(FLAGS_json_read);
  if (read == "dom") {
    options->json_read = EngineOptions::JsonRead::kDom;
  } else if (read == "ondemand") {
    options->json_read = EngineOptions::JsonRead::kOnDemand;
  } else {
    std::fprintf(stderr, "detectctl %s: --json_read must be dom or ondemand, not \"%s\"\n", command, read.c_str());
    return false;
  }
  return true;
}

int FindRuleOrSuggest(const RuleSet& rules, const std::string& id, const char* command) {
  const int index = rules.FindRule(id);
  if (index >= 0) return index;
  std::vector<std::string> ids;
  for (size_t i = 0; i < rules.size(); ++i) ids.push_back(rules.rule(i).id);
  const std::string near = version::Nearest(id, ids);
  std::fprintf(stderr, "detectctl %s: no rule %s in %s%s\n", command, id.c_str(), absl::GetFlag(FLAGS_rules).c_str(),
               near.empty() ? "" : (" (did you mean " + near + "?)").c_str());
  return -1;
}

}  // namespace detect::client
