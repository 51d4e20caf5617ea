// EvalState::State storage, and the adapter that lets lists built during evaluation be read as Values.
#include "engine/eval/eval_state.h"

namespace detect {

using engine_internal::EvalState;

namespace {

const std::vector<Value>& ListOf(const Value& v) {
  return *reinterpret_cast<const std::vector<Value>*>(static_cast<uintptr_t>(v.node_a()));
}

class ScratchListAdapter final : public NodeAdapter {
 public:
  Value Get(const Value&, absl::string_view) const override { return Value(); }
  Value At(const Value& list, size_t index) const override { return ListOf(list)[index]; }
  size_t Size(const Value& node) const override { return ListOf(node).size(); }
  void ForEachElement(const Value& list, absl::FunctionRef<bool(const Value&)> fn) const override {
    for (const Value& v : ListOf(list)) {
      if (!fn(v)) return;
    }
  }
  void ForEachMember(const Value&, absl::FunctionRef<bool(absl::string_view, const Value&)>) const override {}
};

const ScratchListAdapter kScratchListAdapter;

const EvalState::Members& MembersOf(const Value& v) {
  return *reinterpret_cast<const EvalState::Members*>(static_cast<uintptr_t>(v.node_a()));
}

class ScratchObjectAdapter final : public NodeAdapter {
 public:
  Value Get(const Value& object, absl::string_view key) const override {
    Value found;
    for (const auto& [k, v] : MembersOf(object)) {
      if (k == key) found = v;
    }
    return found;
  }
  Value At(const Value&, size_t) const override { return Value(); }
  size_t Size(const Value& node) const override { return MembersOf(node).size(); }
  void ForEachElement(const Value&, absl::FunctionRef<bool(const Value&)>) const override {}
  void ForEachMember(const Value& object,
                     absl::FunctionRef<bool(absl::string_view, const Value&)> fn) const override {
    for (const auto& [k, v] : MembersOf(object)) {
      if (!fn(k, v)) return;
    }
  }
};

const ScratchObjectAdapter kScratchObjectAdapter;

}  // namespace

std::vector<Value>* EvalState::NewList() {
  if (lists_used_ == lists_.size()) lists_.push_back(std::make_unique<std::vector<Value>>());
  std::vector<Value>* list = lists_[lists_used_++].get();
  list->clear();
  return list;
}

Value EvalState::ListValue(const std::vector<Value>* list) {
  return Value::Node(ValueKind::kList, &kScratchListAdapter, reinterpret_cast<uintptr_t>(list), 0);
}

std::string* EvalState::NewString() {
  if (strings_used_ == strings_.size()) strings_.push_back(std::make_unique<std::string>());
  std::string* s = strings_[strings_used_++].get();
  s->clear();
  return s;
}

EvalState::Members* EvalState::NewObject() {
  if (objects_used_ == objects_.size()) objects_.push_back(std::make_unique<Members>());
  Members* members = objects_[objects_used_++].get();
  members->clear();
  return members;
}

Value EvalState::ObjectValue(const Members* members) {
  return Value::Node(ValueKind::kObject, &kScratchObjectAdapter, reinterpret_cast<uintptr_t>(members), 0);
}

EvalScratch::EvalScratch() : state_(std::make_unique<State>()) {}
EvalScratch::~EvalScratch() = default;

}  // namespace detect
