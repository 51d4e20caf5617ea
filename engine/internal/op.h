// Op: the engine's detection operators, shared by the rule AST (engine/parse/rule_ast.h) that every rule dialect
// parses into and by the evaluation plan (engine/internal/expr.h) the compiler builds from it.
#ifndef DETECT_ENGINE_INTERNAL_OP_H_
#define DETECT_ENGINE_INTERNAL_OP_H_

#include <cstdint>

namespace detect::engine_internal {

// Base operations; negated forms (DoesNotEqual, IsNotIn, DoesNotExist, ...) set a separate negate flag.
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

inline bool IsCombinator(Op op) { return op == Op::kAll || op == Op::kAny || op == Op::kOnlyOne || op == Op::kNone; }
inline bool IsComprehension(Op op) {
  return op == Op::kAnyElement || op == Op::kAllElements || op == Op::kNoElement || op == Op::kOnlyOneElement;
}

}  // namespace detect::engine_internal

#endif  // DETECT_ENGINE_INTERNAL_OP_H_
