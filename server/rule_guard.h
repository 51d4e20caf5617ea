// RuleGuard: refuses a rule set that would silently switch detection off. A (re)load to an empty rule set, or
// one that drops more than a configured share of the serving rules, is rejected unless the operator allowed it
// (--allow_empty_rules), so a half-synced ConfigMap or a wrong --rules path cannot turn every detection off
// behind a warning.
#ifndef DETECT_SERVER_RULE_GUARD_H_
#define DETECT_SERVER_RULE_GUARD_H_

#include <cstddef>
#include <optional>

#include "absl/status/status.h"

namespace detect::server {

struct RuleGuardOptions {
  // --allow_empty_rules: accept an empty set and any drop (the checks below are off).
  bool allow_empty_rules = false;
  // --max_rule_drop_fraction: a reload may remove at most this share of the serving rules (0.5: a reload from
  // 100 rules to 49 is rejected, to 50 accepted). 1 or more: no drop bound (an empty set is still refused).
  double max_rule_drop_fraction = 0.5;
};

// Whether a set of `next_rules` rules may replace the serving one (`serving_rules`, nullopt at startup).
// OK, or FailedPrecondition saying what was refused and which flag allows it. Pure function: thread-safe.
absl::Status CheckRuleCount(std::optional<size_t> serving_rules, size_t next_rules, const RuleGuardOptions& options);

}  // namespace detect::server

#endif  // DETECT_SERVER_RULE_GUARD_H_
