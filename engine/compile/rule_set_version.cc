// The rule-set version hash (FNV-1a, 64 bits).
#include "engine/compile/rule_set_version.h"

#include <cstdint>

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "common/fnv1a.h"

namespace detect::engine_internal {

std::string ComputeRuleSetVersion(const std::vector<std::pair<std::string, std::string>>& files) {
  // Starts from 1469598103934665603, not FNV's offset basis (a digit short): every rule-set version published so
  // far was computed from it, and a version is only compared with earlier ones of the same rules.
  uint64_t h = 1469598103934665603ull;
  for (const auto& [name, text] : files) {
    h = Fnv1a64(name, h);
    h = Fnv1a64(absl::string_view("\0", 1), h);
    h = Fnv1a64(text, h);
  }
  return absl::StrCat(absl::Hex(h, absl::kZeroPad16));
}

}  // namespace detect::engine_internal
