// The engine's own view of a RuleSet: its compiled rules, lookup tables, rule index and JSON projection
// (RuleSet::Rep), and RuleSetInternals, the one accessor the compiler, analysis (describe, coverage, explain),
// the JSON reader and tests use to reach them. Not part of the public API: nothing outside engine/ and tests/ includes this.
#ifndef DETECT_ENGINE_INTERNAL_RULE_SET_INTERNALS_H_
#define DETECT_ENGINE_INTERNAL_RULE_SET_INTERNALS_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/strings/string_view.h"
#include "engine/eval/eval_state.h"
#include "engine/eval/evaluator.h"
#include "engine/eval/root_projection.h"
#include "engine/eval/rule_index.h"
#include "engine/internal/compiled_rule.h"
#include "engine/internal/field_path.h"
#include "engine/internal/lookup_table.h"
#include "engine/json/projection.h"
#include "engine/options.h"
#include "engine/rule_set.h"

namespace detect {

// Immutable after RuleSetInternals::Make; shared by every thread evaluating the set.
struct RuleSet::Rep {
  Rep(EngineOptions options, std::vector<std::unique_ptr<engine_internal::CompiledRule>> rules,
      std::unique_ptr<engine_internal::LookupTableSet> tables,
      std::vector<std::unique_ptr<engine_internal::FieldPath>> interned_prefixes, std::string version);
  ~Rep();

  // Evaluates rule `index` in `ctx`, appending a rendered Match to `out` when it matches.
  bool EvaluateOne(uint32_t index, const engine_internal::EvalContext& ctx, EvalResult& out) const;
  // The event as rules read it: its Kubernetes view, with the top-level members rules read in slots.
  // `projected`: `event` already projected this event (to read its p_log_type), or missing.
  Value RootFor(const Value& event, absl::string_view log_type, engine_internal::EvalState& scratch,
                const Value& projected = Value()) const;
  // The log type a single rule sees `event` under: its p_log_type, else the rule's first LogTypes entry.
  absl::string_view RuleLogType(size_t rule_index, const Value& event) const;

  EngineOptions options;
  std::vector<std::unique_ptr<engine_internal::CompiledRule>> rules;
  std::unique_ptr<engine_internal::LookupTableSet> tables;
  // The top-level keys rules read, when there are enough of them for projecting a JSON event's root into
  // slots (engine/eval/root_projection.h) to beat reading the document directly; else null.
  static constexpr size_t kProjectRootKeys = 8;
  std::unique_ptr<engine_internal::RootKeys> root_keys;
  std::vector<std::unique_ptr<engine_internal::FieldPath>> interned_prefixes;  // Paths' parents point here.
  std::unique_ptr<engine_internal::RuleIndex> index;
  // The event fields the rules and the index read, for reading JSON events without a DOM (engine/json/).
  json_internal::Projection projection;
  std::string version;
};

// Static accessors only. Thread-safe as the RuleSet is.
class RuleSetInternals {
 public:
  using Rep = RuleSet::Rep;

  static std::shared_ptr<const RuleSet> Make(std::unique_ptr<const Rep> rep);
  static const Rep& Of(const RuleSet& rules) { return *rules.rep_; }
  static engine_internal::EvalState& StateOf(EvalScratch& scratch) { return *scratch.state_; }

  // The compiled form of rule `index`, for analysis (describe, coverage).
  static const engine_internal::CompiledRule& compiled_rule(const RuleSet& rules, size_t index) {
    return *rules.rep_->rules[index];
  }
  // The condition the rule index files rule `index` under (null: the rule runs for every event of its log
  // types). For `describe`.
  static const engine_internal::Expr* IndexedBy(const RuleSet& rules, size_t index);
  // Calls `fn` with the evaluation context rule `rule_index` sees for `event`: the log type as EvaluateRule
  // picks it unless `log_type` is given. For explaining a rule node by node (engine/analysis/explain.h).
  static void WithRuleContext(const RuleSet& rules, size_t rule_index, const Value& event,
                              absl::string_view log_type, EvalScratch& scratch,
                              absl::FunctionRef<void(const engine_internal::EvalContext&)> fn);
};

}  // namespace detect

#endif  // DETECT_ENGINE_INTERNAL_RULE_SET_INTERNALS_H_
