// RuleSet: an immutable, compiled set of rules, and the evaluation of one event against it.
#ifndef DETECT_ENGINE_RULE_SET_H_
#define DETECT_ENGINE_RULE_SET_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "engine/json_event.h"
#include "engine/options.h"
#include "engine/rule.h"
#include "engine/value.h"

namespace detect {

// Per-thread evaluation state (path memo, lists built while evaluating, candidate rules, a parser for JSON nested
// in strings): create one per thread and pass it to every Evaluate* call; reused across events so the hot path
// does not allocate. Its contents are the engine's own. Works with any RuleSet. Thread-compatible.
class EvalScratch {
 public:
  EvalScratch();
  ~EvalScratch();
  EvalScratch(const EvalScratch&) = delete;
  EvalScratch& operator=(const EvalScratch&) = delete;

  class State;  // Opaque here: engine/eval/eval_state.h.

 private:
  friend class RuleSet;
  friend class RuleSetInternals;
  std::unique_ptr<State> state_;
};

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

// Reused across events by the caller: Clear() keeps the capacity. A rule cannot fail on one event (every
// condition is defined on every value: a type mismatch is false, a missing key is None), so evaluation has
// no per-rule errors; an event that cannot be read at all is EvaluateJson's error.
struct EvalResult {
  std::vector<Match> matches;
  void Clear() { matches.clear(); }
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
  // Reads one JSON event with `parser` as EngineOptions::json_read of the parser's options says: the DOM
  // (JsonEventParser::Parse), or one simdjson On-Demand pass that keeps only the fields this rule set's rules
  // and rule index read. Both accept and reject the same events, with the same errors, and yield values the
  // rules see alike. The Value lives until the next parse with `parser`; `json` must outlive it. `padded` as
  // for JsonEventParser::Parse().
  absl::StatusOr<Value> ParseJson(absl::string_view json, JsonEventParser& parser, bool padded = false) const;
  // Reads one JSON event with ParseJson(), then Evaluate(). A bad event is the returned error (InvalidArgument).
  absl::Status EvaluateJson(absl::string_view json, absl::string_view log_type, JsonEventParser& parser,
                            EvalScratch& scratch, EvalResult& out) const;
  // Evaluates one rule regardless of Enabled and LogTypes (the rule-test runner's entry point).
  void EvaluateRule(size_t rule_index, const Value& event, EvalScratch& scratch, EvalResult& out) const;

  size_t size() const;
  const RuleInfo& rule(size_t index) const;
  // Index of the rule with this RuleID, or -1.
  int FindRule(absl::string_view rule_id) const;
  const EngineOptions& options() const;
  // A content hash of the compiled rule files: equal sets have equal versions.
  const std::string& version() const;
  // Names of the lookup tables loaded with the rules.
  std::vector<std::string> lookup_table_names() const;

 private:
  friend class RuleSetInternals;  // The engine's own access: engine/internal/rule_set_internals.h.
  struct Rep;                     // The compiled rules, lookup tables and rule index.
  explicit RuleSet(std::unique_ptr<const Rep> rep);

  std::unique_ptr<const Rep> rep_;
};

}  // namespace detect

#endif  // DETECT_ENGINE_RULE_SET_H_
