// The adapter that lets a rule's list literal (`Value: [127.0.0.1]`) be compared as a Value.
#include "engine/internal/literal.h"

namespace detect::engine_internal {
namespace {

const std::vector<Literal>& ListOf(const Value& v) {
  return *reinterpret_cast<const std::vector<Literal>*>(static_cast<uintptr_t>(v.node_a()));
}

class LiteralListAdapter final : public NodeAdapter {
 public:
  Value Get(const Value&, absl::string_view) const override { return Value(); }
  Value At(const Value& list, size_t index) const override { return ListOf(list)[index].AsValue(); }
  size_t Size(const Value& node) const override { return ListOf(node).size(); }
  void ForEachElement(const Value& list, absl::FunctionRef<bool(const Value&)> fn) const override {
    for (const Literal& l : ListOf(list)) {
      if (!fn(l.AsValue())) return;
    }
  }
  void ForEachMember(const Value&, absl::FunctionRef<bool(absl::string_view, const Value&)>) const override {}
};

const LiteralListAdapter kLiteralListAdapter;

}  // namespace

Value Literal::ListValue() const {
  return Value::Node(ValueKind::kList, &kLiteralListAdapter, reinterpret_cast<uintptr_t>(&list), 0);
}

}  // namespace detect::engine_internal
