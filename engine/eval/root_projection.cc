// Top-level members of an event by compile-time slot: see root_projection.h.
#include "engine/eval/root_projection.h"

#include <utility>

#include "engine/internal/json_element.h"

namespace detect::engine_internal {
namespace {

using RootSlots = EvalState::RootSlots;

const RootSlots& SlotsOf(const Value& v) { return *reinterpret_cast<const RootSlots*>(v.node_a()); }

// The member of `slot` this event, or missing.
Value SlotValue(const RootSlots& root, int slot, uint64_t epoch) {
  const size_t i = static_cast<size_t>(slot);
  return root.value_epoch[i] == epoch ? root.values[i] : Value();
}

// Reads of projected keys come from the slots; everything else from the event. b: the EvalState's epoch when
// projected (slots of another epoch are absent members).
class ProjectedRootAdapter final : public NodeAdapter {
 public:
  Value Get(const Value& object, absl::string_view key) const override {
    const RootSlots& root = SlotsOf(object);
    const int slot = root.keys->Find(key);
    return slot >= 0 ? SlotValue(root, slot, static_cast<uint32_t>(object.node_b())) : root.event.Get(key);
  }
  Value At(const Value&, size_t) const override { return Value(); }
  size_t Size(const Value& object) const override { return SlotsOf(object).event.Size(); }
  void ForEachElement(const Value&, absl::FunctionRef<bool(const Value&)>) const override {}
  void ForEachMember(const Value& object,
                     absl::FunctionRef<bool(absl::string_view, const Value&)> fn) const override {
    SlotsOf(object).event.ForEachMember(fn);
  }
};

const ProjectedRootAdapter kProjectedRootAdapter;

template <typename T>
void GrowTo(std::vector<T>& v, size_t n) {
  if (v.size() < n) v.resize(n);
}

// Memoizes the members of `object` (top-level key `slot`'s member) that rules read below it.
void Expand(const RootKeys& keys, int slot, simdjson::dom::object object, EvalState& scratch) {
  const StringTable& children = *keys.children(slot);
  const std::vector<int>& memo_slots = keys.child_memo_slots(slot);
  for (auto field : object) {
    const int child = children.Find(absl::string_view(field.key.data(), field.key.size()));
    if (child >= 0) scratch.SetMemo(memo_slots[static_cast<size_t>(child)], JsonElementToValue(field.value));
  }
}

}  // namespace

RootKeys::RootKeys(std::vector<std::string> keys, std::vector<Memo> memos) : table_(std::move(keys)) {
  if (memos.empty()) return;
  for (Memo& m : memos) {
    memo_slots_.push_back(m.slot);
    std::vector<std::string> names;
    std::vector<int> slots;
    for (auto& [name, memo_slot] : m.children) {
      names.push_back(std::move(name));
      slots.push_back(memo_slot);
    }
    children_.emplace_back(std::move(names));
    child_slots_.push_back(std::move(slots));
  }
}

bool ProjectedRootSlot(const Value& root, int slot, Value* out) {
  if (root.adapter() != &kProjectedRootAdapter) return false;
  const RootSlots& slots = SlotsOf(root);
  if (static_cast<size_t>(slot) >= slots.keys->size()) return false;
  *out = SlotValue(slots, slot, static_cast<uint32_t>(root.node_b()));
  return true;
}

Value ProjectRoot(const RootKeys& keys, const Value& event, EvalState& scratch) {
  if (!event.is_object() || !IsJsonNode(event)) return event;
  RootSlots& root = scratch.root_slots();
  root.keys = &keys;
  root.event = event;
  GrowTo(root.values, keys.size());
  GrowTo(root.value_epoch, keys.size());
  GrowTo(root.expanded_epoch, keys.size());
  const uint64_t epoch = scratch.epoch();
  const simdjson::dom::object object = JsonElementOf(event).get_object().value_unsafe();
  for (auto field : object) {
    const int slot = keys.Find(absl::string_view(field.key.data(), field.key.size()));
    if (slot < 0) continue;
    const size_t i = static_cast<size_t>(slot);
    const Value v = JsonElementToValue(field.value);
    root.values[i] = v;
    root.value_epoch[i] = epoch;
    const int memo_slot = keys.memo_slot(slot);
    if (memo_slot < 0) continue;
    scratch.SetMemo(memo_slot, v);
    if (keys.children(slot) == nullptr) continue;
    if (root.expanded_epoch[i] == epoch) {
      // A repeated key: the last one wins, so forget what the earlier one's members filled in.
      for (int child : keys.child_memo_slots(slot)) scratch.ForgetMemo(child);
      root.expanded_epoch[i] = epoch - 1;
    }
    if (v.is_object()) {
      Expand(keys, slot, field.value.get_object().value_unsafe(), scratch);
      root.expanded_epoch[i] = epoch;
    }
  }
  return Value::Node(ValueKind::kObject, &kProjectedRootAdapter, reinterpret_cast<uintptr_t>(&root), epoch);
}

}  // namespace detect::engine_internal
