// RuleIndex: which rules an event can match, so an event meets only those. Rules are grouped by log type, then
// each by one condition it requires (a top-level conjunct): an exact value (`verb == create`,
// `objectRef.resource IsIn [pods]`), a prefix (`userAgent StartsWith kubectl/`), or a regex
// (`requestURI Matches ...`, all of a field's regexes run as one RE2::Set). Rules without such a conjunct are
// always candidates. The index only narrows candidates: every candidate is still evaluated in full.
#ifndef DETECT_ENGINE_EVAL_RULE_INDEX_H_
#define DETECT_ENGINE_EVAL_RULE_INDEX_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "engine/internal/compiled_rule.h"
#include "engine/eval/evaluator.h"
#include "common/string_table.h"
#include "re2/set.h"

namespace detect::engine_internal {

// Immutable after Build; thread-safe.
class RuleIndex {
 public:
  // How many enabled rules require each (field, value) — the cost model that picks a rule's index conjunct:
  // a value many rules require (verb == create) is common in traffic too, a rare one is selective.
  using ShareCounts = absl::flat_hash_map<std::string, int>;

  // Indexes the enabled rules among `rules` (indexes into it are what Candidates returns).
  static std::unique_ptr<RuleIndex> Build(const std::vector<std::unique_ptr<CompiledRule>>& rules,
                                          const EngineOptions& options);

  // Replaces *out with the candidate rules for an event of `log_type`, in rule order.
  void Candidates(absl::string_view log_type, const EvalContext& ctx, std::vector<uint32_t>* out) const;

  // The conjunct chosen to index a rule, or null (always a candidate). For `describe` and tests.
  static const Expr* IndexConjunct(const CompiledRule& rule, const ShareCounts& counts = ShareCounts(),
                                   const EngineOptions& options = EngineOptions());
  // What Build chose for rule `index` of the set (null: evaluated for every event of its log types).
  const Expr* ChosenConjunct(uint32_t index) const { return index < chosen_.size() ? chosen_[index] : nullptr; }

 private:
  // Rules filed by value: while building, in maps; Finish() turns each into a StringTable whose ids number
  // the rule lists, so a lookup costs a cheap hash and one comparison (common/string_table.h).
  struct ValueLists {
    absl::flat_hash_map<std::string, std::vector<uint32_t>> building;  // Emptied by Finish().
    StringTable values;
    std::vector<std::vector<uint32_t>> rules;  // By id in `values`; each in rule order.
    const std::vector<uint32_t>* Find(absl::string_view value) const {
      const int id = values.Find(value);
      return id < 0 ? nullptr : &rules[static_cast<size_t>(id)];
    }
    void Finish();
  };
  struct ExactIndex {
    const FieldPath* path;
    ValueLists by_value;
    absl::flat_hash_map<int64_t, std::vector<uint32_t>> by_int;
  };
  struct PrefixIndex {
    const FieldPath* path;
    std::vector<size_t> lengths;  // Distinct prefix lengths, ascending.
    ValueLists by_prefix;
  };
  struct RegexIndex {
    const FieldPath* path;
    std::unique_ptr<RE2::Set> set;  // Built by Finish().
    std::vector<std::string> patterns;
    std::vector<uint32_t> rule_of_pattern;
  };
  struct Bucket {
    std::vector<uint32_t> always;
    std::vector<uint64_t> always_bits;  // `always` as a bit set of rule indexes, by Finish().
    std::vector<ExactIndex> exact;
    std::vector<PrefixIndex> prefix;
    std::vector<RegexIndex> regex;
  };
  void AddRule(Bucket& bucket, uint32_t index, const CompiledRule& rule, const ShareCounts& counts,
               const EngineOptions& options);
  void Finish(Bucket& bucket, const EngineOptions& options);
  // Adds the rules `bucket` files under the event's values to the bit set `bits` (rule index i is bit i % 64
  // of word i / 64).
  void BucketCandidates(const Bucket& bucket, const EvalContext& ctx, uint64_t* bits) const;

  StringTable log_types_;        // Ids index buckets_.
  std::vector<Bucket> buckets_;
  size_t words_ = 0;             // Words of a candidate bit set: one bit per rule of the set.
  std::vector<const Expr*> chosen_;  // By rule index.
  Bucket any_log_type_;  // Rules without LogTypes, for events of a log type no rule names.
};

}  // namespace detect::engine_internal

#endif  // DETECT_ENGINE_EVAL_RULE_INDEX_H_
