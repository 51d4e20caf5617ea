// The empty-set and mass-drop checks of a rule (re)load.
#include "server/rule_guard.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace detect::server {

absl::Status CheckRuleCount(std::optional<size_t> serving_rules, size_t next_rules, const RuleGuardOptions& options) {
  if (options.allow_empty_rules) return absl::OkStatus();
  if (next_rules == 0) {
    return absl::FailedPreconditionError(
        "the rule set is empty: every detection would be off; refused (--allow_empty_rules accepts it)");
  }
  if (!serving_rules.has_value() || *serving_rules == 0 || next_rules >= *serving_rules ||
      options.max_rule_drop_fraction >= 1) {
    return absl::OkStatus();
  }
  const size_t dropped = *serving_rules - next_rules;
  const double fraction = static_cast<double>(dropped) / static_cast<double>(*serving_rules);
  if (fraction <= options.max_rule_drop_fraction) return absl::OkStatus();
  return absl::FailedPreconditionError(absl::StrFormat(
      "the new rule set has %d rules, %d fewer than the %d serving (%.0f%%, over --max_rule_drop_fraction %g); "
      "refused (--allow_empty_rules accepts it)",
      next_rules, dropped, *serving_rules, 100 * fraction, options.max_rule_drop_fraction));
}

}  // namespace detect::server
