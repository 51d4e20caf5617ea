// ComputeRuleSetVersion: the version string of a rule set, a hash of every input it was built from, so that
// two builds from the same files report the same version and any change to a rule or table data changes it.
#ifndef DETECT_ENGINE_COMPILE_RULE_SET_VERSION_H_
#define DETECT_ENGINE_COMPILE_RULE_SET_VERSION_H_

#include <string>
#include <utility>
#include <vector>

namespace detect::engine_internal {

// 16 hex digits of 64-bit FNV-1a over (name, NUL, text) of each input, in the order given (the caller sorts the
// rule files by name and appends the lookup table data). Not a cryptographic hash: it tells versions apart, it
// does not authenticate them.
std::string ComputeRuleSetVersion(const std::vector<std::pair<std::string, std::string>>& files);

}  // namespace detect::engine_internal

#endif  // DETECT_ENGINE_COMPILE_RULE_SET_VERSION_H_
