// Expr: the compiled detection tree (Detection, InlineFilters, DynamicSeverities and alert-variant conditions).
// Each node keeps its source location and the names the author used, so `describe` reads the compiled rule.
#ifndef DETECT_ENGINE_INTERNAL_EXPR_H_
#define DETECT_ENGINE_INTERNAL_EXPR_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "engine/internal/field_path.h"
#include "engine/internal/ip_address.h"
#include "engine/internal/literal.h"
#include "engine/source_location.h"
#include "re2/re2.h"

namespace detect::engine_internal {

// Base operations; negated forms (DoesNotEqual, IsNotIn, DoesNotExist, ...) set Expr::negate.
enum class Op : uint8_t {
  // Combinators over children.
  kAll, kAny, kOnlyOne, kNone, kAlwaysTrue, kAlwaysFalse,
  // List comprehensions: children evaluated per element, keys relative to the element.
  kAnyElement, kAllElements, kNoElement, kOnlyOneElement,
  // Conditions on one value (or two, for multi-key comparisons).
  kEquals, kStartsWith, kEndsWith, kContains, kIsIn,
  kGreaterThan, kGreaterThanOrEquals, kLessThan, kLessThanOrEquals,
  kExists, kIsNull, kIsNullOrEmpty,
  kIsIPAddress, kIsIPAddressPrivate, kIsIPAddressPublic, kIsIPAddressInCIDR,
  kMatches, kIntersects,
};

// Immutable after compilation; thread-safe to evaluate concurrently.
struct Expr {
  Op op = Op::kAlwaysTrue;
  bool negate = false;            // The condition's negated spelling.
  bool ignore_case = false;       // The I-prefixed spellings (ASCII case folding).
  std::string condition_name;     // As written: "DoesNotEqual", "AnyElement", "All", ...
  SourceLocation location;

  FieldPath path;                 // The value tested (Key/KeyPath/DeepKey/Enrichment), or the comprehension list.
  FieldPath other_path;           // Multi-key comparisons: the second value.
  bool multi_key = false;

  std::vector<Literal> values;    // Value or Values.
  absl::flat_hash_set<std::string> string_set;  // IsIn over many strings (lowercased when ignore_case).
  std::vector<IpNetwork> networks;              // IsIPAddressInCIDR.
  std::shared_ptr<const RE2> regex;             // Matches.

  std::vector<Expr> children;     // Combinators and comprehension Expressions.
};

bool IsCombinator(Op op);
bool IsComprehension(Op op);

}  // namespace detect::engine_internal

#endif  // DETECT_ENGINE_INTERNAL_EXPR_H_
