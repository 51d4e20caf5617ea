// RuleIndex: which rules an event can match, so an event meets only those. Rules are grouped by log type, then
// by one literal value they require (a top-level `Equals`/`IsIn` conjunct on a string field, such as
// `verb == create` or `objectRef.resource IsIn [pods]`); rules without such a conjunct are always candidates.
#ifndef DETECT_ENGINE_INTERNAL_RULE_INDEX_H_
#define DETECT_ENGINE_INTERNAL_RULE_INDEX_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "engine/internal/compiled_rule.h"
#include "engine/internal/evaluator.h"

namespace detect::engine_internal {

// Immutable after Build; thread-safe.
class RuleIndex {
 public:
  // Indexes the enabled rules among `rules` (indexes into it are what Candidates returns).
  static std::unique_ptr<RuleIndex> Build(const std::vector<std::unique_ptr<CompiledRule>>& rules);

  // Replaces *out with the candidate rules for an event of `log_type`, in rule order.
  void Candidates(absl::string_view log_type, const EvalContext& ctx, std::vector<uint32_t>* out) const;

  // The conjunct chosen to index a rule, or null (always a candidate). For `describe` and tests.
  static const Expr* IndexConjunct(const CompiledRule& rule);

 private:
  struct KeyIndex {
    const FieldPath* path;
    absl::flat_hash_map<std::string, std::vector<uint32_t>> by_value;
  };
  struct Bucket {
    std::vector<uint32_t> always;
    std::vector<KeyIndex> keys;
  };
  static void AddRule(Bucket& bucket, uint32_t index, const CompiledRule& rule);

  absl::flat_hash_map<std::string, Bucket> by_log_type_;
  Bucket any_log_type_;  // Rules without LogTypes, for events of a log type no rule names.
};

}  // namespace detect::engine_internal

#endif  // DETECT_ENGINE_INTERNAL_RULE_INDEX_H_
