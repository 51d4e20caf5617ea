// NodeAdapters that walk generated protobuf messages by JSON field name (the test oracle of the wire view,
// proto/audit_event_wire.h). Each message type gets a table, built once per process: JSON name -> field entry
// (descriptor, kind, sub-table), so a lookup is one hash probe plus one reflection read, and no name is
// resolved through the descriptor pool per event.
#include "tests/testing/audit_event_view.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"
#include "engine/node_adapters.h"

namespace detect {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;
using google::protobuf::ListValue;
using google::protobuf::Map;
using google::protobuf::Message;
using google::protobuf::Reflection;
using google::protobuf::RepeatedPtrField;
using google::protobuf::Struct;
using ProtoVal = google::protobuf::Value;

using StringMapFn = const Map<std::string, std::string>& (*)(const Message&);
using ListValueMapFn = const Map<std::string, ListValue>& (*)(const Message&);

enum class Kind : uint8_t {
  kString, kBool, kInt32, kInt64, kUInt32, kUInt64, kDouble, kFloat, kEnum,
  kMessage, kStruct, kValue, kListValue,
  kStringList, kMessageList, kScalarList,
  kStringMap, kListValueMap, kUnsupported,
};

struct MessageTable;

struct FieldEntry {
  const FieldDescriptor* fd = nullptr;
  Kind kind = Kind::kUnsupported;
  const MessageTable* sub = nullptr;  // For kMessage and kMessageList.
  StringMapFn string_map = nullptr;
  ListValueMapFn list_value_map = nullptr;
};

struct MessageTable {
  std::vector<FieldEntry> entries;  // Field-number order.
  absl::flat_hash_map<absl::string_view, const FieldEntry*> by_json_name;
};

absl::string_view View(const std::string& s) { return absl::string_view(s.data(), s.size()); }

template <typename T>
uint64_t Handle(const T* p) { return static_cast<uint64_t>(reinterpret_cast<uintptr_t>(p)); }
template <typename T>
const T& Deref(uint64_t h) { return *reinterpret_cast<const T*>(static_cast<uintptr_t>(h)); }

Value NumberValue(double d) {
  // JSON has one number type; protobuf's Struct stores doubles. Integral values read as integers so rules
  // compare and render them as Python does after json.loads (200, not 200.0).
  constexpr double kMaxExact = 9007199254740992.0;  // 2^53
  if (std::fabs(d) < kMaxExact && d == std::trunc(d)) return Value::Int(static_cast<int64_t>(d));
  return Value::Double(d);
}

Value ListValueOf(const ListValue& l);
Value MessageOf(const Message& m, const MessageTable* table);
Value FieldValue(const Message& m, const FieldEntry& e);

Value ElementOf(const std::string& s) { return Value::String(View(s)); }
Value ElementOf(const ListValue& l) { return ListValueOf(l); }
Value ElementOf(const ProtoVal& v) { return ProtoValue(v); }

// Object members of one message. a: const Message*, b: const MessageTable*.
class MessageAdapter final : public ObjectNodeAdapter {
 public:
  Value Get(const Value& object, absl::string_view key) const override {
    const MessageTable& table = Deref<MessageTable>(object.node_b());
    auto it = table.by_json_name.find(key);
    if (it == table.by_json_name.end()) return Value();
    return FieldValue(Deref<Message>(object.node_a()), *it->second);
  }
  void ForEachMember(const Value& object,
                     absl::FunctionRef<bool(absl::string_view, const Value&)> fn) const override {
    const Message& m = Deref<Message>(object.node_a());
    for (const FieldEntry& e : Deref<MessageTable>(object.node_b()).entries) {
      Value v = FieldValue(m, e);
      if (!v.is_missing() && !fn(View(e.fd->json_name()), v)) return;
    }
  }
};

// A protobuf map with string keys. a: const Map<std::string, V>*.
template <typename V>
class MapAdapter final : public ObjectNodeAdapter {
 public:
  Value Get(const Value& object, absl::string_view key) const override {
    const auto& map = Of(object);
    // Map<std::string, V>::find needs a std::string key (no heterogeneous lookup in protobuf 3.21); keys of
    // rule paths are short, so this stays within the small-string buffer.
    auto it = map.find(std::string(key.data(), key.size()));
    return it == map.end() ? Value() : ElementOf(it->second);
  }
  size_t Size(const Value& node) const override { return Of(node).size(); }
  void ForEachMember(const Value& object,
                     absl::FunctionRef<bool(absl::string_view, const Value&)> fn) const override {
    for (const auto& kv : Of(object)) {
      if (!fn(View(kv.first), ElementOf(kv.second))) return;
    }
  }

 private:
  static const Map<std::string, V>& Of(const Value& v) { return Deref<Map<std::string, V>>(v.node_a()); }
};

// A list whose elements ElementOf() converts. a: const RepeatedPtrField<T>*.
template <typename T>
class RepeatedAdapter final : public ListNodeAdapter {
 public:
  Value At(const Value& list, size_t i) const override { return ElementOf(Of(list).Get(static_cast<int>(i))); }
  size_t Size(const Value& node) const override { return Of(node).size(); }
  void ForEachElement(const Value& list, absl::FunctionRef<bool(const Value&)> fn) const override {
    for (const T& element : Of(list)) {
      if (!fn(ElementOf(element))) return;
    }
  }

 private:
  static const RepeatedPtrField<T>& Of(const Value& v) { return Deref<RepeatedPtrField<T>>(v.node_a()); }
};

// Repeated messages of the audit schema. a: const RepeatedPtrField<Message>*, b: element MessageTable*.
class MessageListAdapter final : public ListNodeAdapter {
 public:
  Value At(const Value& list, size_t i) const override {
    return MessageOf(Of(list).Get(static_cast<int>(i)), &Deref<MessageTable>(list.node_b()));
  }
  size_t Size(const Value& node) const override { return Of(node).size(); }
  void ForEachElement(const Value& list, absl::FunctionRef<bool(const Value&)> fn) const override {
    for (size_t i = 0, n = Size(list); i < n; ++i) {
      if (!fn(At(list, i))) return;
    }
  }

 private:
  static const RepeatedPtrField<Message>& Of(const Value& v) { return Deref<RepeatedPtrField<Message>>(v.node_a()); }
};

// Repeated numbers, bools and enums (none in the audit schema; kept for completeness), read through
// reflection. a: const Message*, b: const FieldEntry*.
class ScalarListAdapter final : public ListNodeAdapter {
 public:
  Value At(const Value& list, size_t i) const override {
    const Message& m = Deref<Message>(list.node_a());
    const FieldDescriptor* fd = Deref<FieldEntry>(list.node_b()).fd;
    const Reflection* r = m.GetReflection();
    const int index = static_cast<int>(i);
    switch (fd->cpp_type()) {
      case FieldDescriptor::CPPTYPE_INT32: return Value::Int(r->GetRepeatedInt32(m, fd, index));
      case FieldDescriptor::CPPTYPE_INT64: return Value::Int(r->GetRepeatedInt64(m, fd, index));
      case FieldDescriptor::CPPTYPE_UINT32: return Value::Int(r->GetRepeatedUInt32(m, fd, index));
      case FieldDescriptor::CPPTYPE_UINT64:
        return Value::Int(static_cast<int64_t>(r->GetRepeatedUInt64(m, fd, index)));
      case FieldDescriptor::CPPTYPE_DOUBLE: return Value::Double(r->GetRepeatedDouble(m, fd, index));
      case FieldDescriptor::CPPTYPE_FLOAT: return Value::Double(r->GetRepeatedFloat(m, fd, index));
      case FieldDescriptor::CPPTYPE_BOOL: return Value::Bool(r->GetRepeatedBool(m, fd, index));
      case FieldDescriptor::CPPTYPE_ENUM: return Value::String(View(r->GetRepeatedEnum(m, fd, index)->name()));
      default: return Value();
    }
  }
  size_t Size(const Value& node) const override {
    const Message& m = Deref<Message>(node.node_a());
    return static_cast<size_t>(m.GetReflection()->FieldSize(m, Deref<FieldEntry>(node.node_b()).fd));
  }
  void ForEachElement(const Value& list, absl::FunctionRef<bool(const Value&)> fn) const override {
    for (size_t i = 0, n = Size(list); i < n; ++i) {
      if (!fn(At(list, i))) return;
    }
  }
};

const MessageAdapter kMessageAdapter;
const MapAdapter<std::string> kStringMapAdapter;
const MapAdapter<ListValue> kListValueMapAdapter;
const MapAdapter<ProtoVal> kStructAdapter;
const RepeatedAdapter<std::string> kStringListAdapter;
const RepeatedAdapter<ProtoVal> kListValueAdapter;
const MessageListAdapter kMessageListAdapter;
const ScalarListAdapter kScalarListAdapter;

Value ListValueOf(const ListValue& l) {
  return Value::Node(ValueKind::kList, &kListValueAdapter, Handle(&l.values()), 0);
}

Value MessageOf(const Message& m, const MessageTable* table) {
  return Value::Node(ValueKind::kObject, &kMessageAdapter, Handle(&m), Handle(table));
}

Value FieldValue(const Message& m, const FieldEntry& e) {
  const Reflection* r = m.GetReflection();
  const FieldDescriptor* fd = e.fd;
  if (!fd->is_repeated()) {
    // proto3 fields without presence (none in the audit schema) read as missing when they hold the default.
    if (!r->HasField(m, fd)) return Value();
  }
  switch (e.kind) {
    case Kind::kString: {
      std::string scratch;  // Untouched for ordinary string fields: the reference points into the message.
      return Value::String(View(r->GetStringReference(m, fd, &scratch)));
    }
    case Kind::kBool: return Value::Bool(r->GetBool(m, fd));
    case Kind::kInt32: return Value::Int(r->GetInt32(m, fd));
    case Kind::kInt64: return Value::Int(r->GetInt64(m, fd));
    case Kind::kUInt32: return Value::Int(r->GetUInt32(m, fd));
    case Kind::kUInt64: return Value::Int(static_cast<int64_t>(r->GetUInt64(m, fd)));
    case Kind::kDouble: return Value::Double(r->GetDouble(m, fd));
    case Kind::kFloat: return Value::Double(r->GetFloat(m, fd));
    case Kind::kEnum: return Value::String(View(r->GetEnum(m, fd)->name()));
    case Kind::kMessage: return MessageOf(r->GetMessage(m, fd), e.sub);
    case Kind::kStruct: return StructValue(static_cast<const Struct&>(r->GetMessage(m, fd)));
    case Kind::kValue: return ProtoValue(static_cast<const ProtoVal&>(r->GetMessage(m, fd)));
    case Kind::kListValue: return ListValueOf(static_cast<const ListValue&>(r->GetMessage(m, fd)));
    default: break;
  }
  // Repeated and map fields: empty reads as missing (proto cannot tell an empty list from an absent one).
  if (e.kind == Kind::kStringMap) {
    const auto& map = e.string_map(m);
    return map.empty() ? Value() : Value::Node(ValueKind::kObject, &kStringMapAdapter, Handle(&map), 0);
  }
  if (e.kind == Kind::kListValueMap) {
    const auto& map = e.list_value_map(m);
    return map.empty() ? Value() : Value::Node(ValueKind::kObject, &kListValueMapAdapter, Handle(&map), 0);
  }
  if (e.kind == Kind::kUnsupported || r->FieldSize(m, fd) == 0) return Value();
  // GetRepeatedPtrField is deprecated in favour of GetRepeatedFieldRef, whose string Get() returns a copy;
  // the direct reference is what keeps strings zero-copy here.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
  switch (e.kind) {
    case Kind::kStringList:
      return Value::Node(ValueKind::kList, &kStringListAdapter,
                         Handle(&r->GetRepeatedPtrField<std::string>(m, fd)), 0);
    case Kind::kMessageList:
      return Value::Node(ValueKind::kList, &kMessageListAdapter,
                         Handle(&r->GetRepeatedPtrField<Message>(m, fd)), Handle(e.sub));
    case Kind::kScalarList:
      return Value::Node(ValueKind::kList, &kScalarListAdapter, Handle(&m), Handle(&e));
    default: return Value();
  }
#pragma GCC diagnostic pop
}

// ---- Field tables -----------------------------------------------------------------------------------------

// Reflection cannot look up a map entry without materializing the map as a repeated field, so map fields are
// read through their generated accessors. Every map field of the audit schema must be listed here
// (audit_event_view_test checks it); other map fields read as missing.
template <typename T, const Map<std::string, std::string>& (T::*Get)() const>
const Map<std::string, std::string>& StringMapOf(const Message& m) { return (static_cast<const T&>(m).*Get)(); }
template <typename T, const Map<std::string, ListValue>& (T::*Get)() const>
const Map<std::string, ListValue>& ListValueMapOf(const Message& m) { return (static_cast<const T&>(m).*Get)(); }

void SetMapAccessor(FieldEntry& e) {
  const std::string& name = e.fd->full_name();
  if (name == "detect.v1.AuditEvent.annotations") {
    e.kind = Kind::kStringMap;
    e.string_map = &StringMapOf<v1::AuditEvent, &v1::AuditEvent::annotations>;
  } else if (name == "detect.v1.UserInfo.extra") {
    e.kind = Kind::kListValueMap;
    e.list_value_map = &ListValueMapOf<v1::UserInfo, &v1::UserInfo::extra>;
  }
}

class TableRegistry {
 public:
  static TableRegistry& Get() {
    static TableRegistry* registry = new TableRegistry();
    return *registry;
  }

  const MessageTable* TableFor(const Descriptor* d) ABSL_LOCKS_EXCLUDED(mu_) {
    absl::MutexLock lock(&mu_);
    return TableForLocked(d);
  }

 private:
  const MessageTable* TableForLocked(const Descriptor* d) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    auto it = tables_.find(d);
    if (it != tables_.end()) return it->second.get();
    MessageTable* table = (tables_[d] = std::make_unique<MessageTable>()).get();  // Before recursing: cycles.
    std::vector<const FieldDescriptor*> fields;
    for (int i = 0; i < d->field_count(); ++i) fields.push_back(d->field(i));
    std::sort(fields.begin(), fields.end(),
              [](const FieldDescriptor* a, const FieldDescriptor* b) { return a->number() < b->number(); });
    table->entries.reserve(fields.size());
    for (const FieldDescriptor* fd : fields) table->entries.push_back(EntryFor(fd));
    for (const FieldEntry& e : table->entries) table->by_json_name.emplace(View(e.fd->json_name()), &e);
    return table;
  }

  FieldEntry EntryFor(const FieldDescriptor* fd) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    FieldEntry e;
    e.fd = fd;
    if (fd->is_map()) {
      SetMapAccessor(e);
      return e;
    }
    const bool repeated = fd->is_repeated();
    switch (fd->cpp_type()) {
      case FieldDescriptor::CPPTYPE_STRING: e.kind = repeated ? Kind::kStringList : Kind::kString; return e;
      case FieldDescriptor::CPPTYPE_MESSAGE: break;
      default:
        e.kind = repeated ? Kind::kScalarList : ScalarKind(fd->cpp_type());
        return e;
    }
    const Descriptor* md = fd->message_type();
    if (md == Struct::descriptor() || md == ProtoVal::descriptor() || md == ListValue::descriptor()) {
      // Singular only: a repeated Struct/Value/ListValue is not part of the schema.
      if (!repeated) {
        e.kind = md == Struct::descriptor() ? Kind::kStruct
                 : md == ProtoVal::descriptor() ? Kind::kValue : Kind::kListValue;
      }
      return e;
    }
    e.kind = repeated ? Kind::kMessageList : Kind::kMessage;
    e.sub = TableForLocked(md);
    return e;
  }

  static Kind ScalarKind(FieldDescriptor::CppType t) {
    switch (t) {
      case FieldDescriptor::CPPTYPE_BOOL: return Kind::kBool;
      case FieldDescriptor::CPPTYPE_INT32: return Kind::kInt32;
      case FieldDescriptor::CPPTYPE_INT64: return Kind::kInt64;
      case FieldDescriptor::CPPTYPE_UINT32: return Kind::kUInt32;
      case FieldDescriptor::CPPTYPE_UINT64: return Kind::kUInt64;
      case FieldDescriptor::CPPTYPE_DOUBLE: return Kind::kDouble;
      case FieldDescriptor::CPPTYPE_FLOAT: return Kind::kFloat;
      case FieldDescriptor::CPPTYPE_ENUM: return Kind::kEnum;
      default: return Kind::kUnsupported;
    }
  }

  absl::Mutex mu_;
  absl::flat_hash_map<const Descriptor*, std::unique_ptr<MessageTable>> tables_ ABSL_GUARDED_BY(mu_);
};

const MessageTable* AuditEventTable() {
  static const MessageTable* table = TableRegistry::Get().TableFor(v1::AuditEvent::descriptor());
  return table;
}

}  // namespace

Value AuditEventValue(const v1::AuditEvent& event) { return MessageOf(event, AuditEventTable()); }

Value MessageValue(const Message& message) {
  if (message.GetDescriptor() == v1::AuditEvent::descriptor()) return MessageOf(message, AuditEventTable());
  return MessageOf(message, TableRegistry::Get().TableFor(message.GetDescriptor()));
}

Value StructValue(const Struct& s) {
  return Value::Node(ValueKind::kObject, &kStructAdapter, Handle(&s.fields()), 0);
}

Value ProtoValue(const ProtoVal& v) {
  switch (v.kind_case()) {
    case ProtoVal::kNullValue: return Value::Null();
    case ProtoVal::kNumberValue: return NumberValue(v.number_value());
    case ProtoVal::kStringValue: return Value::String(View(v.string_value()));
    case ProtoVal::kBoolValue: return Value::Bool(v.bool_value());
    case ProtoVal::kStructValue: return StructValue(v.struct_value());
    case ProtoVal::kListValue: return ListValueOf(v.list_value());
    case ProtoVal::KIND_NOT_SET: break;
  }
  return Value();
}

void WarmUpAuditEventView() { (void)AuditEventTable(); }

}  // namespace detect
