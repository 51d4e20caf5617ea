// The predicate interpreter: evaluates compiled Expr trees over event Values with Panther's semantics (missing
// keys, Python equality and truthiness, strict booleans). Allocation-free except for [*] collections, which
// live in the caller's EvalScratch (its EvalState).
#ifndef DETECT_ENGINE_EVAL_EVALUATOR_H_
#define DETECT_ENGINE_EVAL_EVALUATOR_H_

#include <vector>

#include "engine/eval/eval_state.h"
#include "engine/internal/expr.h"
#include "engine/internal/lookup_table.h"
#include "engine/options.h"
#include "engine/value.h"

namespace detect::engine_internal {

// Per-event evaluation state; cheap to construct. Thread-compatible.
struct EvalContext {
  const EngineOptions* options;
  EvalState* scratch;
  Value event;                          // The event root.
  absl::string_view log_type;           // The event's log type (selects lookup-table selectors).
  const LookupTables* tables = nullptr;  // Fill p_enrichment when the event lacks it.
};

// Resolves a path from the event root: memoized per event, with Panther's derived p_any_* fields and, from
// lookup tables, p_enrichment.<table> (the event's selector values found in the table) and
// p_enrichment.<table>.<selector> (the matching row; a list of rows for a list selector).
// The memo is looked at inline; ResolveEventPathSlow does the rest.
inline Value ResolveEventPath(const FieldPath& path, const EvalContext& ctx);
Value ResolveEventPathSlow(const FieldPath& path, const EvalContext& ctx);
// Resolves a path relative to `base` (a list element inside a comprehension) or the event root when
// `base` is null.
Value ResolvePath(const FieldPath& path, const Value* base, const EvalContext& ctx);

// Evaluates one expression; `base` is the current comprehension element, or null at the event root.
bool EvalExpr(const Expr& expr, const Value* base, const EvalContext& ctx);
// ANDs a list of expressions (a Detection or an element's Expressions).
bool EvalAll(const std::vector<Expr>& exprs, const Value* base, const EvalContext& ctx);

// Python `==` over event values (a missing key reads as None; booleans equal only booleans).
bool PyEquals(const Value& a, const Value& b);

inline Value ResolveEventPath(const FieldPath& path, const EvalContext& ctx) {
  Value v;
  if (ctx.scratch->GetMemo(path.cache_slot, &v)) return v;
  return ResolveEventPathSlow(path, ctx);
}

}  // namespace detect::engine_internal

#endif  // DETECT_ENGINE_EVAL_EVALUATOR_H_
