// FieldPath: a compiled path into an event (`a.b[0].c`, `a[*].b`, DeepKey lists, Snowflake `a:b.c`), resolved
// once at rule load, and the lookup that walks it.
#ifndef DETECT_ENGINE_INTERNAL_FIELD_PATH_H_
#define DETECT_ENGINE_INTERNAL_FIELD_PATH_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "engine/eval/eval_state.h"
#include "engine/value.h"

namespace detect::engine_internal {

struct PathStep {
  enum Kind : uint8_t { kKey, kIndex, kWildcard };
  Kind kind = kKey;
  std::string key;
  int64_t index = 0;
};

// Immutable after compilation. Thread-safe to share.
struct FieldPath {
  std::vector<PathStep> steps;
  std::string text;           // As the rule author wrote it, for messages and `describe`.
  bool has_wildcard = false;
  int cache_slot = -1;        // Per-event memo slot for paths read from the event root; -1: not memoized.
  // The longest proper prefix of this path (without [*]), interned and memoized too, so `objectRef.name` and
  // `objectRef.namespace` read `objectRef` once per event. Owned by the RuleSet; null when none.
  const FieldPath* parent = nullptr;
  // For a path read from the event root whose first step is a key: that key's slot in the rule set's root
  // projection (engine/eval/root_projection.h); -1 otherwise.
  int root_slot = -1;
  // 1: a top-level key; 2: a key of a top-level key (`objectRef.resource`). The root projection reads such
  // members in its one pass over the event and fills their memo slots (engine/eval/root_projection.h); 0
  // otherwise.
  uint8_t projected_depth = 0;

  bool empty() const { return steps.empty(); }
};

// Most segments in one path (`a.b[0].c` has 3): a longer KeyPath, DeepKey or placeholder is a rule error.
// Paths are stored and interned in time and memory linear in their segments, but a rule set of many long
// paths is bounded as well (EngineOptions::max_interned_path_segments).
inline constexpr size_t kMaxPathSegments = 256;
// The error for a path of more than kMaxPathSegments segments.
absl::Status TooManyPathSegments();

// `Key: name`: one top-level key, taken literally (dots are part of the key).
FieldPath KeyPathFromKey(absl::string_view key);
// `KeyPath: a.b[0].c[*].d` (also `a.b.0`, and `$.a.b`); `$` alone is the current value (no steps).
// InvalidArgument on malformed brackets, empty segments, or more than kMaxPathSegments segments.
absl::StatusOr<FieldPath> ParseKeyPath(absl::string_view text);
// Snowflake notation of SummaryAttributes: `user:username` is `user.username`, `p_any_ip_addresses` itself.
absl::StatusOr<FieldPath> ParseSnowflakePath(absl::string_view text);

// Walks `path` from `root`. A [*] step collects the rest of the path over every element into a list kept in
// `scratch`; such lists flatten nested [*] results. Missing when any step does not exist.
Value Lookup(const FieldPath& path, const Value& root, EvalState& scratch);
// The same walk starting at steps[first] (the value of steps before it is `start`).
Value LookupFrom(const FieldPath& path, size_t first, const Value& start, EvalState& scratch);

}  // namespace detect::engine_internal

#endif  // DETECT_ENGINE_INTERNAL_FIELD_PATH_H_
