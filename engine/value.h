// Value: the one field-access interface rules read events through. A Value is a small, trivially copyable,
// non-owning view of one value of an event; JSON documents (simdjson) and typed protobuf events implement the
// NodeAdapter behind lists and objects, so the evaluator never knows which representation it reads.
#ifndef DETECT_ENGINE_VALUE_H_
#define DETECT_ENGINE_VALUE_H_

#include <cstddef>
#include <cstdint>

#include "absl/functional/function_ref.h"
#include "absl/strings/string_view.h"

namespace detect {

enum class ValueKind : uint8_t { kMissing, kNull, kBool, kInt, kDouble, kString, kList, kObject };

class NodeAdapter;

// A view of one event value. Strings and nodes point into storage owned by the event (a parsed JSON document,
// a protobuf message, or the caller's EvalScratch): a Value must not outlive it. Thread-compatible.
class Value {
 public:
  Value() = default;  // Missing.
  static Value Missing() { return Value(); }
  static Value Null() { return Value(ValueKind::kNull); }
  static Value Bool(bool b) { Value v(ValueKind::kBool); v.u_.b = b; return v; }
  static Value Int(int64_t i) { Value v(ValueKind::kInt); v.u_.i = i; return v; }
  static Value Double(double d) { Value v(ValueKind::kDouble); v.u_.d = d; return v; }
  static Value String(absl::string_view s) {
    Value v(ValueKind::kString);
    v.u_.s = {s.data(), s.size()};
    return v;
  }
  // A list or object whose content the adapter walks; `a` and `b` are the adapter's own handle words.
  static Value Node(ValueKind kind, const NodeAdapter* adapter, uint64_t a, uint64_t b) {
    Value v(kind);
    v.u_.node = {a, b};
    v.adapter_ = adapter;
    return v;
  }

  ValueKind kind() const { return kind_; }
  bool is_missing() const { return kind_ == ValueKind::kMissing; }
  bool is_null() const { return kind_ == ValueKind::kNull; }
  bool is_bool() const { return kind_ == ValueKind::kBool; }
  bool is_int() const { return kind_ == ValueKind::kInt; }
  bool is_double() const { return kind_ == ValueKind::kDouble; }
  bool is_number() const { return kind_ == ValueKind::kInt || kind_ == ValueKind::kDouble; }
  bool is_string() const { return kind_ == ValueKind::kString; }
  bool is_list() const { return kind_ == ValueKind::kList; }
  bool is_object() const { return kind_ == ValueKind::kObject; }

  bool bool_value() const { return u_.b; }
  int64_t int_value() const { return u_.i; }
  double double_value() const { return u_.d; }
  double number_value() const { return is_int() ? static_cast<double>(u_.i) : u_.d; }
  absl::string_view string_value() const { return absl::string_view(u_.s.data, u_.s.size); }
  uint64_t node_a() const { return u_.node.a; }
  uint64_t node_b() const { return u_.node.b; }
  const NodeAdapter* adapter() const { return adapter_; }

  // Object member by key (the last one when a key repeats, as Python's json.loads keeps); Missing when this
  // is not an object or has no such key.
  Value Get(absl::string_view key) const;
  // List element; negative indexes count from the end as in Python. Missing when out of range or not a list.
  Value At(int64_t index) const;
  // Elements of a list, members of an object, 0 for anything else.
  size_t Size() const;
  // Calls fn for each list element in order until it returns false. No-op for non-lists.
  void ForEachElement(absl::FunctionRef<bool(const Value&)> fn) const;
  // Calls fn for each object member in order until it returns false. No-op for non-objects.
  void ForEachMember(absl::FunctionRef<bool(absl::string_view, const Value&)> fn) const;

 private:
  explicit Value(ValueKind kind) : kind_(kind) {}

  ValueKind kind_ = ValueKind::kMissing;
  union {
    bool b;
    int64_t i;
    double d;
    struct { const char* data; size_t size; } s;
    struct { uint64_t a; uint64_t b; } node;
  } u_{};
  const NodeAdapter* adapter_ = nullptr;
};

// Walks lists and objects of one event representation. Implementations are stateless singletons: thread-safe.
class NodeAdapter {
 public:
  virtual ~NodeAdapter() = default;
  virtual Value Get(const Value& object, absl::string_view key) const = 0;
  virtual Value At(const Value& list, size_t index) const = 0;
  virtual size_t Size(const Value& node) const = 0;
  virtual void ForEachElement(const Value& list, absl::FunctionRef<bool(const Value&)> fn) const = 0;
  virtual void ForEachMember(const Value& object,
                             absl::FunctionRef<bool(absl::string_view, const Value&)> fn) const = 0;
};

inline Value Value::Get(absl::string_view key) const {
  return kind_ == ValueKind::kObject ? adapter_->Get(*this, key) : Value();
}
inline Value Value::At(int64_t index) const {
  if (kind_ != ValueKind::kList) return Value();
  const int64_t n = static_cast<int64_t>(adapter_->Size(*this));
  if (index < 0) index += n;
  if (index < 0 || index >= n) return Value();
  return adapter_->At(*this, static_cast<size_t>(index));
}
inline size_t Value::Size() const {
  return (kind_ == ValueKind::kList || kind_ == ValueKind::kObject) ? adapter_->Size(*this) : 0;
}
inline void Value::ForEachElement(absl::FunctionRef<bool(const Value&)> fn) const {
  if (kind_ == ValueKind::kList) adapter_->ForEachElement(*this, fn);
}
inline void Value::ForEachMember(absl::FunctionRef<bool(absl::string_view, const Value&)> fn) const {
  if (kind_ == ValueKind::kObject) adapter_->ForEachMember(*this, fn);
}

// Python truthiness: Missing, null, false, 0, 0.0, "", [] and {} are falsy.
bool IsTruthy(const Value& v);

}  // namespace detect

#endif  // DETECT_ENGINE_VALUE_H_
