// The rule-set version hash (FNV-1a, 64 bits).
#include "engine/compile/rule_set_version.h"

#include <cstdint>

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"

namespace detect::engine_internal {
namespace {

uint64_t Fnv1a(absl::string_view s, uint64_t h) {
  for (unsigned char c : s) {
    h ^= c;
    h *= 1099511628211ull;
  }
  return h;
}

}  // namespace

std::string ComputeRuleSetVersion(const std::vector<std::pair<std::string, std::string>>& files) {
  uint64_t h = 1469598103934665603ull;
  for (const auto& [name, text] : files) {
    h = Fnv1a(name, h);
    h = Fnv1a(absl::string_view("\0", 1), h);
    h = Fnv1a(text, h);
  }
  return absl::StrCat(absl::Hex(h, absl::kZeroPad16));
}

}  // namespace detect::engine_internal
