// The event root as rules read it. A rule set reads a few dozen top-level keys of events that have a few dozen
// members; looking each key up in the parsed document scans its members every time. Instead, the members whose
// keys some rule reads are stored once per event in slots numbered at compile time, and a read of a
// top-level key costs one hash of the key and one comparison.
#ifndef DETECT_ENGINE_EVAL_ROOT_PROJECTION_H_
#define DETECT_ENGINE_EVAL_ROOT_PROJECTION_H_

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/string_view.h"
#include "engine/eval/eval_state.h"
#include "common/string_table.h"
#include "engine/value.h"

namespace detect::engine_internal {

// The top-level keys a rule set reads, each with a slot (its id in a StringTable). Immutable after
// construction; thread-safe.
class RootKeys {
 public:
  explicit RootKeys(std::vector<std::string> keys) : table_(std::move(keys)) {}

  // The slot of `key`, or -1 when no rule reads it.
  int Find(absl::string_view key) const { return table_.Find(key); }
  size_t size() const { return table_.size(); }

 private:
  StringTable table_;
};

// For a JSON object `event`: a Value over `event` whose top-level reads of keys in `keys` come from slots filled
// here in one pass over its members (the last of duplicate keys wins, as in the document); other keys, and
// iteration, go to `event`. Other events are returned as they are. Valid until scratch.BeginEvent().
Value ProjectRoot(const RootKeys& keys, const Value& event, EvalState& scratch);

// When `root` is a projected root: its member of slot `slot` (missing when the event has none) in *out, and
// true. False for any other value.
bool ProjectedRootSlot(const Value& root, int slot, Value* out);

}  // namespace detect::engine_internal

#endif  // DETECT_ENGINE_EVAL_ROOT_PROJECTION_H_
