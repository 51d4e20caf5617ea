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

// The top-level keys a rule set reads, each with a slot (its id in a StringTable); per key, the memo slot of its
// path and the keys read below it with theirs. Immutable after construction; thread-safe.
class RootKeys {
 public:
  struct Memo {
    int slot = -1;                                       // Memo slot of the key's path; -1: none.
    std::vector<std::pair<std::string, int>> children;   // Keys read below it, with their memo slots.
  };
  // `memos` is parallel to `keys`, or empty (no memo slots: the slots alone serve reads).
  explicit RootKeys(std::vector<std::string> keys, std::vector<Memo> memos = {});

  // The slot of `key`, or -1 when no rule reads it.
  int Find(absl::string_view key) const { return table_.Find(key); }
  size_t size() const { return table_.size(); }
  // The memo slot of top-level key `slot`'s path, or -1.
  int memo_slot(int slot) const { return memo_slots_.empty() ? -1 : memo_slots_[static_cast<size_t>(slot)]; }
  // The keys read below top-level key `slot` (ids index child_memo_slots(slot)).
  const StringTable* children(int slot) const {
    return children_.empty() || children_[static_cast<size_t>(slot)].empty() ? nullptr
                                                                            : &children_[static_cast<size_t>(slot)];
  }
  const std::vector<int>& child_memo_slots(int slot) const { return child_slots_[static_cast<size_t>(slot)]; }

 private:
  StringTable table_;
  std::vector<int> memo_slots_;
  std::vector<StringTable> children_;
  std::vector<std::vector<int>> child_slots_;
};

// For a JSON object `event`: a Value over `event` whose top-level reads of keys in `keys` come from slots filled
// here in one pass over its members (the last of duplicate keys wins, as in the document); other keys, and
// iteration, go to `event`. The same pass fills the per-event memo of the paths of those keys, and of the keys
// read below them when their member is an object (that object is then "expanded": every key rules read in it
// is memoized, so a path of it with no memo this event is missing). Other events are returned as they are.
// Valid until scratch.BeginEvent().
Value ProjectRoot(const RootKeys& keys, const Value& event, EvalState& scratch);

// When `root` is a projected root: its member of slot `slot` (missing when the event has none) in *out, and
// true. False for any other value.
bool ProjectedRootSlot(const Value& root, int slot, Value* out);

// Whether `root` is the root ProjectRoot projected for the current event and top-level key `slot`'s member was
// an object it expanded. Inline: every first read of a key below a top-level key asks.
inline bool ProjectedRootExpanded(const Value& root, int slot, const EvalState& scratch) {
  const EvalState::RootSlots& slots = scratch.root_slots();
  return root.node_a() == reinterpret_cast<uintptr_t>(&slots) && root.node_b() == scratch.epoch() &&
         root.is_object() && static_cast<size_t>(slot) < slots.expanded_epoch.size() &&
         slots.expanded_epoch[static_cast<size_t>(slot)] == scratch.epoch();
}

}  // namespace detect::engine_internal

#endif  // DETECT_ENGINE_EVAL_ROOT_PROJECTION_H_
