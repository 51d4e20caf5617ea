// Expr: the compiled detection tree (Detection, InlineFilters, DynamicSeverities and alert-variant conditions),
// built by engine/compile/rule_compiler.h from the rule AST. Each node keeps its line and column and the names
// the author used, so `describe` and `explain` read the compiled rule.
#ifndef DETECT_ENGINE_INTERNAL_EXPR_H_
#define DETECT_ENGINE_INTERNAL_EXPR_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "engine/internal/field_path.h"
#include "engine/internal/ip_address.h"
#include "engine/internal/literal.h"
#include "engine/internal/op.h"
#include "re2/re2.h"

namespace detect::engine_internal {

// Immutable after compilation; thread-safe to evaluate concurrently.
struct Expr {
  Op op = Op::kAlwaysTrue;
  bool negate = false;            // The condition's negated spelling.
  bool ignore_case = false;       // The I-prefixed spellings (ASCII case folding).
  std::string condition_name;     // As written: "DoesNotEqual", "AnyElement", "All", ...
  // Of the Condition (or combinator) in the rule's own file (CompiledRule::info.location.file): 1-based, 0 unknown.
  int line = 0;
  int column = 0;

  FieldPath path;                 // The value tested (Key/KeyPath/DeepKey/Enrichment), or the comprehension list.
  FieldPath other_path;           // Multi-key comparisons: the second value.
  bool multi_key = false;

  std::vector<Literal> values;    // Value or Values.
  absl::flat_hash_set<std::string> string_set;  // IsIn over many strings (lowercased when ignore_case).
  std::vector<IpNetwork> networks;              // IsIPAddressInCIDR.
  std::shared_ptr<const RE2> regex;             // Matches.

  std::vector<Expr> children;     // Combinators and comprehension Expressions.
};

}  // namespace detect::engine_internal

#endif  // DETECT_ENGINE_INTERNAL_EXPR_H_
