// Top-level members of an event by compile-time slot: see root_projection.h.
#include "engine/eval/root_projection.h"

#include <utility>

#include "engine/internal/json_element.h"

namespace detect::engine_internal {
namespace {

using RootSlots = EvalState::RootSlots;

const RootSlots& SlotsOf(const Value& v) { return *reinterpret_cast<const RootSlots*>(v.node_a()); }

// Reads of projected keys come from the slots; everything else from the event.
class ProjectedRootAdapter final : public NodeAdapter {
 public:
  Value Get(const Value& object, absl::string_view key) const override {
    const RootSlots& root = SlotsOf(object);
    const int slot = root.keys->Find(key);
    return slot >= 0 ? root.values[static_cast<size_t>(slot)] : root.event.Get(key);
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

}  // namespace

bool ProjectedRootSlot(const Value& root, int slot, Value* out) {
  if (root.adapter() != &kProjectedRootAdapter) return false;
  const RootSlots& slots = SlotsOf(root);
  if (static_cast<size_t>(slot) >= slots.values.size()) return false;
  *out = slots.values[static_cast<size_t>(slot)];
  return true;
}

Value ProjectRoot(const RootKeys& keys, const Value& event, EvalState& scratch) {
  if (!event.is_object() || !IsJsonNode(event)) return event;
  RootSlots& root = scratch.root_slots();
  root.keys = &keys;
  root.event = event;
  root.values.assign(keys.size(), Value());
  Value* values = root.values.data();
  const simdjson::dom::object object = JsonElementOf(event).get_object().value_unsafe();
  for (auto field : object) {
    const int slot = keys.Find(absl::string_view(field.key.data(), field.key.size()));
    if (slot >= 0) values[slot] = JsonElementToValue(field.value);
  }
  return Value::Node(ValueKind::kObject, &kProjectedRootAdapter, reinterpret_cast<uintptr_t>(&root), 0);
}

}  // namespace detect::engine_internal
