// Loading --rules for the offline subcommands, with issues printed the same way everywhere.
#ifndef DETECT_CLIENT_RULE_LOADING_H_
#define DETECT_CLIENT_RULE_LOADING_H_

#include <memory>
#include <string>

#include "engine/options.h"
#include "engine/rule_set.h"

namespace detect::client {

// Compiles --rules (file or directory); prints issues to stderr. Null (after printing why) on failure.
std::shared_ptr<const RuleSet> LoadRulesFromFlags(const char* command);

// Sets options->json_read from --json_read (dom | ondemand); false after printing the error for a bad value.
bool JsonReadFromFlag(const char* command, EngineOptions* options);

// The index of rule `id` in `rules`; -1 after printing "no rule ID in PATH (did you mean ...?)".
int FindRuleOrSuggest(const RuleSet& rules, const std::string& id, const char* command);

}  // namespace detect::client

#endif  // DETECT_CLIENT_RULE_LOADING_H_
