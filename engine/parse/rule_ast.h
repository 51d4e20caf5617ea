// The rule AST: what a rule says, as plain structs, between parsing (rule text to AST, engine/parse/) and
// compilation (AST to evaluation plan, engine/compile/rule_compiler.h).
//
// Dialects. The Panther YAML parser (rule_parser.h, detection_parser.h) is the first front end; Sigma and Falco
// parsers are to produce the same structs. So the AST holds no YAML and no Panther spelling beyond the names
// kept for messages and `describe`: a condition is an engine Op (op.h) plus negate and ignore_case flags, a key
// is a parsed FieldPath, operands are typed Literals. Each front end does its own shape checks and its own
// name resolution (Panther's DataModel and Enrichment keys become plain paths here, as Sigma's field mappings
// would), and reports its own mistakes; the compiler adds what needs the engine: regular expressions, CIDR
// networks, string sets, path interning.
//
// Locations are a file index into a SourceFiles table plus line and column: a rule set's file names are held
// once, not copied into every node.
#ifndef DETECT_ENGINE_PARSE_RULE_AST_H_
#define DETECT_ENGINE_PARSE_RULE_AST_H_

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "engine/internal/alert_template.h"
#include "engine/internal/field_path.h"
#include "engine/internal/literal.h"
#include "engine/internal/op.h"
#include "engine/rule.h"
#include "engine/source_location.h"

namespace detect::engine_internal::ast {

// Where a node was written: files[file], 1-based line and column (0 when unknown).
struct Location {
  uint32_t file = 0;
  int line = 0;
  int column = 0;
};

// The names of the files of one rule set, each held once; Location::file indexes them. Thread-compatible.
class SourceFiles {
 public:
  uint32_t Add(std::string name) {
    names_.push_back(std::move(name));
    return static_cast<uint32_t>(names_.size() - 1);
  }
  const std::string& name(uint32_t file) const { return names_[file]; }
  SourceLocation Resolve(const Location& loc) const { return {names_[loc.file], loc.line, loc.column}; }

 private:
  std::vector<std::string> names_;
};

// A constant operand (one Value, or one entry of Values) and where it was written, for the compiler's messages
// (a bad regular expression or CIDR is reported at its own entry).
struct Operand {
  Literal value;
  Location location;
};

// One node of a detection tree: a combinator (All/Any/OnlyOne/None: `children`), a list comprehension
// (AnyElement...: `field` is the list, `children` apply to each element), or a condition on `field` (and on
// `other_field` for a multi-key comparison) with constant `operands`.
struct Node {
  Op op = Op::kAlwaysTrue;
  bool negate = false;
  bool ignore_case = false;
  std::string condition_name;  // As the author wrote it ("IDoesNotEqual", "All"), for messages and `describe`.
  Location location;           // The condition (or the combinator's mapping).

  FieldPath field;
  FieldPath other_field;
  bool multi_key = false;
  // Value, or the entries of Values, in order; already type-checked against `op` by the front end (numbers for
  // IsGreaterThan, strings for Matches...). List equality (`Equals: [a, b]`) is one kList literal.
  std::vector<Operand> operands;

  std::vector<Node> children;
};

// An alert field that depends on the event: the first variant whose conditions (ORed) hold, or have none, wins.
template <typename T>
struct Variant {
  std::vector<Node> conditions;
  T value;
};

// A named list rendering (AlertFields extension) for `{@name}` placeholders.
struct AlertField {
  std::string name;
  FieldPath list;
  AlertTemplate element;
  std::vector<Node> filter;  // ANDed, keys relative to the element.
  std::string separator = ", ";
  std::string default_text;
};

// One rule. `info` is the metadata (id, severity, log types, tests, ... and the location of the rule's id),
// already in the form the rule set reports; the rest is what the compiler turns into the evaluation plan.
struct Rule {
  RuleInfo info;
  std::vector<Node> inline_filters;  // ANDed, before the detection.
  std::vector<Node> detection;       // ANDed.
  std::vector<Variant<AlertTemplate>> titles;  // Placeholders `{@name}` already point at alert_fields.
  std::vector<Variant<AlertTemplate>> dedups;
  std::vector<FieldPath> group_by;
  std::vector<Variant<Severity>> dynamic_severities;
  std::vector<std::pair<std::string, FieldPath>> alert_context;
  std::vector<FieldPath> summary_paths;  // Parallel to info.summary_attributes.
  FieldPath distinct_path;               // Empty when the rule has no ThresholdDistinctField.
  std::vector<AlertField> alert_fields;
};

}  // namespace detect::engine_internal::ast

#endif  // DETECT_ENGINE_PARSE_RULE_AST_H_
