// Rule explain: why a rule did or did not match one event, node by node. For each node of the rule's
// InlineFilters and Detection: its condition, its value for the event, and for a comparison the key read and
// the value found there; top-level negated conjuncts are marked as exclusions (fired when they reject the
// event). Behind `detectctl explain` and `detectctl test --explain`. Engine-side: no gRPC.
#ifndef DETECT_ENGINE_ANALYSIS_EXPLAIN_H_
#define DETECT_ENGINE_ANALYSIS_EXPLAIN_H_

#include <string>
#include <vector>

#include "engine/rule_set.h"
#include "engine/source_location.h"

namespace detect {

struct ExplainNode {
  std::string condition;        // As written: "Equals", "DoesNotEqual", "All", "AnyElement", ...
  std::string text;             // Rendered like `describe`: `user.username eq "system:anonymous"`.
  bool result = false;          // The node's value for the event (the evaluator's own answer).
  SourceLocation location;
  // Comparisons: the key read and what was there (JSON text; empty when the key is missing).
  std::string key;
  bool has_key = false;
  std::string value_json;
  bool missing = false;
  std::string other_key;        // Multi-key comparisons: the second key and its value.
  std::string other_value_json;
  bool exclusion = false;       // A top-level negated conjunct of the Detection or InlineFilters.
  std::vector<ExplainNode> children;  // Combinators; comprehensions: one node per element ("[i]").
};

struct Explanation {
  std::string rule_id;
  std::string log_type;         // The log type the rule was evaluated under.
  bool enabled = true;
  bool log_type_applies = true;  // The rule's LogTypes include log_type (Evaluate would run it).
  bool matched = false;          // Filters and detection hold (what EvaluateRule says).
  std::vector<ExplainNode> filters;    // InlineFilters, ANDed.
  std::vector<ExplainNode> detection;  // Detection, ANDed.
  std::string reason;           // One line: what decided the result.
  // When matched: the rendered alert fields.
  std::string title, dedup, severity;
};

// Explains rule `rule_index` on `event` (log type: `log_type`, else the event's p_log_type, else the rule's
// first LogTypes entry, as the rule-test runner picks it).
Explanation ExplainRule(const RuleSet& rules, size_t rule_index, const Value& event, absl::string_view log_type = "");

// An indented tree, one node per line: `true`/`false`, the condition, and `key = value` for comparisons.
std::string FormatExplanationText(const Explanation& explanation);
// {"rule_id", "log_type", "enabled", "log_type_applies", "matched", "reason", "alert": {...}|null,
//  "filters": [node], "detection": [node]}; node: {"condition", "text", "result", "location", "key", "value",
//  "missing", "exclusion", "children"} (key/value only for comparisons).
std::string FormatExplanationJson(const Explanation& explanation);

}  // namespace detect

#endif  // DETECT_ENGINE_ANALYSIS_EXPLAIN_H_
