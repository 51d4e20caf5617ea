// RuleSet: an immutable, compiled set of rules, and the evaluation of one event against it.
#ifndef DETECT_ENGINE_RULE_SET_H_
#define DETECT_ENGINE_RULE_SET_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "engine/eval_scratch.h"
#include "engine/json_event.h"
#include "engine/options.h"
#include "engine/rule.h"
#include "engine/value.h"

namespace detect {

namespace engine_internal {
struct CompiledRule;
struct EvalContext;
struct Expr;
struct FieldPath;
struct LookupTableSet;
class RootKeys;
class RuleIndex;
}  // namespace engine_internal

// One summary attribute of a match: its path as written and its value as JSON text ("null" when missing).
struct SummaryValue {
  std::string name;
  std::string json;
};

// One matching rule for one event, with its alert fields rendered.
struct Match {
  uint32_t rule_index = 0;
  const RuleInfo* rule = nullptr;  // Owned by the RuleSet, which must outlive the Match.
  Severity severity = Severity::kInfo;
  std::string title;
  std::string dedup;
  std::vector<SummaryValue> summary;
  std::string alert_context_json = "{}";  // A JSON object.
  // The value of the rule's ThresholdDistinctField in this event, as Python's str() prints it; empty when the
  // rule has none or the event lacks the field (null counts as missing).
  std::string distinct_value;
};

// A rule that could not be evaluated on this event: reported, never a crash, never a lost result for others.
struct RuleError {
  uint32_t rule_index = 0;
  std::string message;
};

// Reused across events by the caller: Clear() keeps the capacity.
struct EvalResult {
  std::vector<Match> matches;
  std::vector<RuleError> errors;
  void Clear() {
    matches.clear();
    errors.clear();
  }
};

// Thread-safe: every method is const and the set never changes after Build. Evaluate concurrently from any
// number of threads, each with its own EvalScratch and JsonEventParser. Share it as shared_ptr<const RuleSet>.
class RuleSet {
 public:
  ~RuleSet();
  RuleSet(const RuleSet&) = delete;
  RuleSet& operator=(const RuleSet&) = delete;

  // Evaluates the enabled rules whose LogTypes include the event's log type: `log_type` if not empty, else
  // the event's `p_log_type`, else EngineOptions::default_log_type. Matches are appended in rule order.
  void Evaluate(const Value& event, absl::string_view log_type, EvalScratch& scratch, EvalResult& out) const;
  // Parses one JSON event with `parser`, then Evaluate(). A bad event is the returned error (InvalidArgument).
  absl::Status EvaluateJson(absl::string_view json, absl::string_view log_type, JsonEventParser& parser,
                            EvalScratch& scratch, EvalResult& out) const;
  // Evaluates one rule regardless of Enabled and LogTypes (the rule-test runner's entry point).
  void EvaluateRule(size_t rule_index, const Value& event, EvalScratch& scratch, EvalResult& out) const;

  size_t size() const { return rules_.size(); }
  const RuleInfo& rule(size_t index) const;
  // Index of the rule with this RuleID, or -1.
  int FindRule(absl::string_view rule_id) const;
  const EngineOptions& options() const { return options_; }
  // A content hash of the compiled rule files: equal sets have equal versions.
  const std::string& version() const { return version_; }
  // Names of the lookup tables loaded with the rules.
  std::vector<std::string> lookup_table_names() const;
  // The condition the rule index files rule `index` under (null: the rule runs for every event of its
  // log types). For `describe`.
  const engine_internal::Expr* IndexedBy(size_t index) const;
  // Calls `fn` with the evaluation context rule `rule_index` sees for `event`: the log type as EvaluateRule
  // picks it unless `log_type` is given. For explaining a rule node by node (engine/analysis/explain.h).
  void WithRuleContext(size_t rule_index, const Value& event, absl::string_view log_type, EvalScratch& scratch,
                       absl::FunctionRef<void(const engine_internal::EvalContext&)> fn) const;
  // The compiled form, for analysis (describe, coverage) inside the engine.
  const engine_internal::CompiledRule& compiled_rule(size_t index) const { return *rules_[index]; }

 private:
  friend class RuleSetBuilder;
  RuleSet(EngineOptions options, std::vector<std::unique_ptr<engine_internal::CompiledRule>> rules,
          std::unique_ptr<engine_internal::LookupTableSet> tables,
          std::vector<std::unique_ptr<engine_internal::FieldPath>> interned_prefixes, std::string version);

  bool EvaluateOne(uint32_t index, const engine_internal::EvalContext& ctx, EvalResult& out) const;
  // The event as rules read it: its Kubernetes view, with the top-level members rules read in slots.
  Value RootFor(const Value& event, absl::string_view log_type, EvalScratch& scratch) const;

  EngineOptions options_;
  std::vector<std::unique_ptr<engine_internal::CompiledRule>> rules_;
  std::unique_ptr<engine_internal::LookupTableSet> tables_;
  // The top-level keys rules read, when there are enough of them for projecting a JSON event's root into
  // slots (engine/eval/root_projection.h) to beat reading the document directly; else null.
  static constexpr size_t kProjectRootKeys = 8;
  std::unique_ptr<engine_internal::RootKeys> root_keys_;
  std::vector<std::unique_ptr<engine_internal::FieldPath>> interned_prefixes_;  // Paths' parents point here.
  std::unique_ptr<engine_internal::RuleIndex> index_;
  std::string version_;
};

}  // namespace detect

#endif  // DETECT_ENGINE_RULE_SET_H_
