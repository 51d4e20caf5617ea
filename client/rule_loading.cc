// Shared --rules loading of the offline subcommands.
#include "client/rule_loading.h"

#include <cstdio>

#include "absl/flags/flag.h"
#include "client/flags.h"
#include "engine/compiler.h"

namespace detect::client {

std::shared_ptr<const RuleSet> LoadRulesFromFlags(const char* command) {
  const std::string path = absl::GetFlag(FLAGS_rules);
  if (path.empty()) {
    std::fprintf(stderr, "detectctl %s: --rules PATH is required\n", command);
    return nullptr;
  }
  EngineOptions options;
  options.reject_unknown_keys = absl::GetFlag(FLAGS_strict);
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

}  // namespace detect::client
