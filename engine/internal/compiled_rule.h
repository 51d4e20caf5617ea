// CompiledRule: one rule after compilation: metadata, filters, detection, and the alert fields rendered for
// matches (titles, dedup, dynamic severities, alert context, summary attributes).
#ifndef DETECT_ENGINE_INTERNAL_COMPILED_RULE_H_
#define DETECT_ENGINE_INTERNAL_COMPILED_RULE_H_

#include <string>
#include <utility>
#include <vector>

#include "engine/internal/alert_template.h"
#include "engine/internal/expr.h"
#include "engine/rule.h"

namespace detect::engine_internal {

// One choice of an alert field: used when any of `conditions` holds (always, when there are none).
template <typename T>
struct AlertVariant {
  std::vector<Expr> conditions;  // ORed.
  T value;
};

// Immutable after compilation; thread-safe.
struct CompiledRule {
  RuleInfo info;
  std::vector<Expr> inline_filters;  // ANDed, before the detection.
  std::vector<Expr> detection;       // ANDed.
  std::vector<AlertVariant<AlertTemplate>> titles;  // AlertTitle; first whose conditions hold wins.
  std::vector<AlertVariant<AlertTemplate>> dedups;  // AlertDedup (extension); before GroupBy.
  std::vector<FieldPath> group_by;
  std::vector<AlertVariant<Severity>> dynamic_severities;
  std::vector<std::pair<std::string, FieldPath>> alert_context;  // KeyName -> value.
  std::vector<FieldPath> summary_paths;  // Parallel to info.summary_attributes.
  FieldPath distinct_path;               // ThresholdDistinctField; empty when the rule has none.
  std::vector<AlertField> alert_fields;  // AlertFields (extension), used by `{@name}` placeholders.
};

}  // namespace detect::engine_internal

#endif  // DETECT_ENGINE_INTERNAL_COMPILED_RULE_H_
