// EvalScratch::State (engine_internal::EvalState): the per-thread, per-call state of evaluation (path memo, lists
// built while evaluating, root slots, candidate rules, RE2::Set hits, a parser for nested JSON) behind the
// opaque public EvalScratch (engine/rule_set.h), owned by the caller and reused across events so the hot path
// does not allocate.
#ifndef DETECT_ENGINE_EVAL_EVAL_STATE_H_
#define DETECT_ENGINE_EVAL_EVAL_STATE_H_

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "engine/rule_set.h"
#include "engine/value.h"
#include "simdjson.h"

namespace detect {
namespace engine_internal {
class RootKeys;
}  // namespace engine_internal

// Thread-compatible: one per thread. Values it hands out live until the next BeginEvent().
class EvalScratch::State {
 public:
  State() = default;
  State(const State&) = delete;
  State& operator=(const State&) = delete;

  // Starts a new event: forgets memoized lookups and the lists built for the previous one.
  void BeginEvent() {
    ++epoch_;
    lists_used_ = 0;
    strings_used_ = 0;
    objects_used_ = 0;
  }

  // A fresh empty list that lives until the next BeginEvent(); Value() of it via ListValue().
  std::vector<Value>* NewList();
  // A Value viewing a list made by NewList().
  static Value ListValue(const std::vector<Value>* list);
  // A string that lives until the next BeginEvent() (for values the engine derives).
  std::string* NewString();
  // An empty object (members in order; the last of equal keys wins) that lives until the next BeginEvent().
  using Members = std::vector<std::pair<absl::string_view, Value>>;
  Members* NewObject();
  static Value ObjectValue(const Members* members);
  // The current event's root as rules read it (engine/eval/root_projection.h): its top-level members by
  // the slot of their key in `keys`, and the event itself for everything else.
  // Slots hold a value only when their epoch is the current event's: nothing is cleared per event.
  struct RootSlots {
    const engine_internal::RootKeys* keys = nullptr;
    Value event;
    std::vector<Value> values;
    std::vector<uint64_t> value_epoch;     // values[i] is this event's member when value_epoch[i] == epoch().
    std::vector<uint64_t> expanded_epoch;  // Member i was an object and its keys were memoized this event.
  };
  RootSlots& root_slots() { return root_slots_; }
  const RootSlots& root_slots() const { return root_slots_; }
  // A parser for JSON documents nested in an event as strings (one per event; valid until BeginEvent()).
  simdjson::dom::parser& nested_parser() { return nested_parser_; }

  // Memo of path lookups from the event root, by FieldPath::cache_slot.
  bool GetMemo(int slot, Value* out) const {
    // A slot of -1 (not memoized) converts to a size no vector reaches.
    if (static_cast<size_t>(slot) >= memo_epoch_.size() || memo_epoch_[slot] != epoch_) return false;
    *out = memo_[slot];
    return true;
  }
  // Forgets every memo of this event (and the root projection's slots), keeping the lists, strings and objects
  // made for it.
  void ForgetMemos() { ++epoch_; }
  // Forgets a memo of this event (it reads as not memoized).
  void ForgetMemo(int slot) {
    if (static_cast<size_t>(slot) < memo_epoch_.size()) memo_epoch_[slot] = epoch_ - 1;
  }
  // For tests: as if BeginEvent() had been called `events` times more (what those events memoized is gone).
  void SkipEventsForTesting(uint64_t events) { epoch_ += events; }
  // The current event's number: a slot tagged with it holds this event's value.
  uint64_t epoch() const { return epoch_; }
  void SetMemo(int slot, const Value& v) {
    if (slot < 0) return;
    if (static_cast<size_t>(slot) >= memo_.size()) {
      memo_.resize(slot + 1);
      memo_epoch_.resize(slot + 1, 0);
    }
    memo_[slot] = v;
    memo_epoch_[slot] = epoch_;
  }

  // Candidate rule indexes of the current event, and RE2::Set hits (used by the rule index).
  std::vector<uint32_t>& candidates() { return candidates_; }
  std::vector<int>& regex_hits() { return regex_hits_; }
  // The rule index's candidates as a bit set, one bit per rule of the set.
  std::vector<uint64_t>& candidate_bits() { return candidate_bits_; }

 private:
  uint64_t epoch_ = 1;  // 64 bits: never wraps (32 would, after 4.3 billion events of one thread, and revive stale slots).
  std::vector<Value> memo_;
  std::vector<uint64_t> memo_epoch_;
  std::vector<std::unique_ptr<std::vector<Value>>> lists_;
  size_t lists_used_ = 0;
  std::vector<std::unique_ptr<std::string>> strings_;
  size_t strings_used_ = 0;
  std::vector<uint32_t> candidates_;
  std::vector<int> regex_hits_;
  std::vector<uint64_t> candidate_bits_;
  std::vector<std::unique_ptr<Members>> objects_;
  size_t objects_used_ = 0;
  RootSlots root_slots_;
  simdjson::dom::parser nested_parser_;
};

namespace engine_internal {
using EvalState = EvalScratch::State;
}  // namespace engine_internal

}  // namespace detect

#endif  // DETECT_ENGINE_EVAL_EVAL_STATE_H_
