// Wire-format NodeAdapters. Handles: a = pointer to a message's bytes, b = its length in the low 40 bits and a
// table or field-entry id in the high 24. Tables are built once per process from the descriptors (JSON name ->
// entry, field number -> entry); a lookup scans the message's tags once, skipping other fields by length.
#include "proto/audit_event_wire.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "detect/v1/detect.pb.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/struct.pb.h"
#include "proto/wire_reader.h"
#include "simdjson.h"

namespace detect {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;
using wire::Field;
using wire::Reader;

enum class Kind : uint8_t {
  kString, kBool, kInt32, kInt64, kUInt32, kUInt64, kSInt32, kSInt64, kDouble, kFloat, kFixed32, kFixed64,
  kSFixed32, kSFixed64, kEnum, kMessage, kStruct, kValue, kListValue, kUnsupported,
};

struct Table;

// One field of a message type. For map fields, `kind`/`sub` describe the map's value.
struct Entry {
  uint32_t number = 0;
  Kind kind = Kind::kUnsupported;
  bool repeated = false;
  bool map = false;
  bool bytes = false;                      // A kString of protobuf type bytes: no UTF-8 check.
  const Table* sub = nullptr;              // kMessage.
  const FieldDescriptor* fd = nullptr;     // Null for synthetic entries (Struct.fields, ListValue.values).
  absl::string_view json_name;
  uint32_t id = 0;                         // Index in Registry::entries.
};

struct Table {
  uint32_t id = 0;
  std::vector<std::unique_ptr<Entry>> entries;                      // Field-number order.
  absl::flat_hash_map<absl::string_view, const Entry*> by_name;
  std::vector<const Entry*> by_number;                              // Indexed by field number.
  const Entry* ByNumber(uint32_t n) const { return n < by_number.size() ? by_number[n] : nullptr; }
};

// ---- Tables -----------------------------------------------------------------------------------------------

class Registry {
 public:
  static const Registry& Get() {
    static const Registry* registry = new Registry();
    return *registry;
  }
  const Table* audit_event() const { return audit_event_; }
  const Entry* struct_fields() const { return struct_fields_; }
  const Entry* list_values() const { return list_values_; }
  const Table* table(uint32_t id) const { return tables_[id].get(); }
  const Entry* entry(uint32_t id) const { return entries_[id]; }

 private:
  Registry() {
    Entry* fields = Synthetic(1, Kind::kValue, /*map=*/true);      // Struct: map<string, Value> fields = 1;
    Entry* values = Synthetic(1, Kind::kValue, /*map=*/false);     // ListValue: repeated Value values = 1;
    values->repeated = true;
    struct_fields_ = fields;
    list_values_ = values;
    audit_event_ = TableFor(v1::AuditEvent::descriptor());
  }

  Entry* Synthetic(uint32_t number, Kind kind, bool map) {
    synthetic_.push_back(std::make_unique<Entry>());
    Entry* e = synthetic_.back().get();
    e->number = number;
    e->kind = kind;
    e->map = map;
    e->repeated = map;
    e->id = static_cast<uint32_t>(entries_.size());
    entries_.push_back(e);
    return e;
  }

  const Table* TableFor(const Descriptor* d) {
    auto it = by_descriptor_.find(d);
    if (it != by_descriptor_.end()) return it->second;
    tables_.push_back(std::make_unique<Table>());
    Table* t = tables_.back().get();
    t->id = static_cast<uint32_t>(tables_.size() - 1);
    by_descriptor_[d] = t;  // Before recursing: message types may be recursive.
    std::vector<const FieldDescriptor*> fields;
    for (int i = 0; i < d->field_count(); ++i) fields.push_back(d->field(i));
    std::sort(fields.begin(), fields.end(), [](auto* a, auto* b) { return a->number() < b->number(); });
    for (const FieldDescriptor* fd : fields) {
      auto e = std::make_unique<Entry>();
      e->number = static_cast<uint32_t>(fd->number());
      e->fd = fd;
      e->json_name = absl::string_view(fd->json_name());
      e->repeated = fd->is_repeated();
      e->map = fd->is_map();
      const FieldDescriptor* value_fd = e->map ? fd->message_type()->map_value() : fd;
      if (e->map && fd->message_type()->map_key()->type() != FieldDescriptor::TYPE_STRING) {
        e->kind = Kind::kUnsupported;  // Only string keys read as JSON object members.
      } else {
        SetKind(value_fd, e.get());
      }
      if (e->repeated && !e->map && e->kind != Kind::kString && e->kind != Kind::kMessage &&
          e->kind != Kind::kStruct && e->kind != Kind::kValue && e->kind != Kind::kListValue) {
        e->kind = Kind::kUnsupported;  // Packed repeated scalars: not in the audit schema.
      }
      e->id = static_cast<uint32_t>(entries_.size());
      entries_.push_back(e.get());
      t->entries.push_back(std::move(e));
    }
    for (const auto& e : t->entries) {
      t->by_name.emplace(e->json_name, e.get());
      if (e->number >= t->by_number.size()) t->by_number.resize(e->number + 1, nullptr);
      t->by_number[e->number] = e.get();
    }
    return t;
  }

  void SetKind(const FieldDescriptor* fd, Entry* e) {
    e->fd = e->map ? fd : e->fd;
    switch (fd->type()) {
      case FieldDescriptor::TYPE_STRING: case FieldDescriptor::TYPE_BYTES:
        e->kind = Kind::kString;
        e->bytes = fd->type() == FieldDescriptor::TYPE_BYTES;
        return;
      case FieldDescriptor::TYPE_BOOL: e->kind = Kind::kBool; return;
      case FieldDescriptor::TYPE_INT32: e->kind = Kind::kInt32; return;
      case FieldDescriptor::TYPE_INT64: e->kind = Kind::kInt64; return;
      case FieldDescriptor::TYPE_UINT32: e->kind = Kind::kUInt32; return;
      case FieldDescriptor::TYPE_UINT64: e->kind = Kind::kUInt64; return;
      case FieldDescriptor::TYPE_SINT32: e->kind = Kind::kSInt32; return;
      case FieldDescriptor::TYPE_SINT64: e->kind = Kind::kSInt64; return;
      case FieldDescriptor::TYPE_DOUBLE: e->kind = Kind::kDouble; return;
      case FieldDescriptor::TYPE_FLOAT: e->kind = Kind::kFloat; return;
      case FieldDescriptor::TYPE_FIXED32: e->kind = Kind::kFixed32; return;
      case FieldDescriptor::TYPE_FIXED64: e->kind = Kind::kFixed64; return;
      case FieldDescriptor::TYPE_SFIXED32: e->kind = Kind::kSFixed32; return;
      case FieldDescriptor::TYPE_SFIXED64: e->kind = Kind::kSFixed64; return;
      case FieldDescriptor::TYPE_ENUM: e->kind = Kind::kEnum; return;
      case FieldDescriptor::TYPE_MESSAGE: break;
      default: e->kind = Kind::kUnsupported; return;
    }
    const Descriptor* md = fd->message_type();
    if (md == google::protobuf::Struct::descriptor()) e->kind = Kind::kStruct;
    else if (md == google::protobuf::Value::descriptor()) e->kind = Kind::kValue;
    else if (md == google::protobuf::ListValue::descriptor()) e->kind = Kind::kListValue;
    else {
      e->kind = Kind::kMessage;
      e->sub = TableFor(md);
    }
  }

  std::vector<std::unique_ptr<Table>> tables_;
  std::vector<std::unique_ptr<Entry>> synthetic_;
  std::vector<const Entry*> entries_;
  absl::flat_hash_map<const Descriptor*, const Table*> by_descriptor_;
  const Table* audit_event_ = nullptr;
  const Entry* struct_fields_ = nullptr;
  const Entry* list_values_ = nullptr;
};

// ---- Handles ----------------------------------------------------------------------------------------------

constexpr int kIdShift = 40;
constexpr uint64_t kLenMask = (uint64_t{1} << kIdShift) - 1;

uint64_t Ptr(absl::string_view bytes) { return static_cast<uint64_t>(reinterpret_cast<uintptr_t>(bytes.data())); }
absl::string_view Bytes(const Value& v) {
  return absl::string_view(reinterpret_cast<const char*>(static_cast<uintptr_t>(v.node_a())), v.node_b() & kLenMask);
}
uint32_t HandleId(const Value& v) { return static_cast<uint32_t>(v.node_b() >> kIdShift); }
uint64_t Pack(absl::string_view bytes, uint32_t id) {
  return (static_cast<uint64_t>(id) << kIdShift) | (static_cast<uint64_t>(bytes.size()) & kLenMask);
}

Value NumberValue(double d) {  // As the reflection view: integral Struct numbers read as integers.
  constexpr double kMaxExact = 9007199254740992.0;
  if (std::fabs(d) < kMaxExact && d == std::trunc(d)) return Value::Int(static_cast<int64_t>(d));
  return Value::Double(d);
}

double Bits64(uint64_t bits) { double d; std::memcpy(&d, &bits, 8); return d; }
float Bits32(uint64_t bits) { uint32_t b = static_cast<uint32_t>(bits); float f; std::memcpy(&f, &b, 4); return f; }

Value MessageObject(absl::string_view bytes, const Table* table);
Value RepeatedList(absl::string_view parent, const Entry& e);
Value MapObject(absl::string_view parent, const Entry& e);
Value ProtoValueOf(absl::string_view bytes);

// One occurrence of a singular field (or one element of a repeated one), by kind and wire type.
Value Decode(const Entry& e, const Field& f) {
  const bool len = f.wire_type == 2, varint = f.wire_type == 0;
  switch (e.kind) {
    case Kind::kString: return len ? Value::String(f.data) : Value();
    case Kind::kBool: return varint ? Value::Bool(f.scalar != 0) : Value();
    case Kind::kInt32: return varint ? Value::Int(static_cast<int32_t>(f.scalar)) : Value();
    case Kind::kInt64: return varint ? Value::Int(static_cast<int64_t>(f.scalar)) : Value();
    case Kind::kUInt32: return varint ? Value::Int(static_cast<uint32_t>(f.scalar)) : Value();
    case Kind::kUInt64: return varint ? Value::Int(static_cast<int64_t>(f.scalar)) : Value();
    case Kind::kSInt32: case Kind::kSInt64: {
      if (!varint) return Value();
      const int64_t v = static_cast<int64_t>(f.scalar >> 1) ^ -static_cast<int64_t>(f.scalar & 1);
      return Value::Int(e.kind == Kind::kSInt32 ? static_cast<int32_t>(v) : v);
    }
    case Kind::kDouble: return f.wire_type == 1 ? Value::Double(Bits64(f.scalar)) : Value();
    case Kind::kFloat: return f.wire_type == 5 ? Value::Double(Bits32(f.scalar)) : Value();
    case Kind::kFixed32: return f.wire_type == 5 ? Value::Int(static_cast<uint32_t>(f.scalar)) : Value();
    case Kind::kSFixed32: return f.wire_type == 5 ? Value::Int(static_cast<int32_t>(f.scalar)) : Value();
    case Kind::kFixed64: case Kind::kSFixed64:
      return f.wire_type == 1 ? Value::Int(static_cast<int64_t>(f.scalar)) : Value();
    case Kind::kEnum: {
      if (!varint) return Value();
      const auto* ev = e.fd->enum_type()->FindValueByNumber(static_cast<int>(f.scalar));
      return ev != nullptr ? Value::String(absl::string_view(ev->name())) : Value::Int(static_cast<int32_t>(f.scalar));
    }
    case Kind::kMessage: return len ? MessageObject(f.data, e.sub) : Value();
    case Kind::kStruct: return len ? MapObject(f.data, *Registry::Get().struct_fields()) : Value();
    case Kind::kValue: return len ? ProtoValueOf(f.data) : Value();
    case Kind::kListValue: return len ? RepeatedList(f.data, *Registry::Get().list_values()) : Value();
    case Kind::kUnsupported: break;
  }
  return Value();
}

// A map entry's key (field 1) and value (field 2). Either may be absent (some serializers omit defaults): the
// key then is "", and value->number stays 0 so MapValue gives the value type's default.
bool MapEntry(absl::string_view entry, Field* key, Field* value) {
  Reader r(entry);
  *key = Field();
  key->number = 1;
  key->wire_type = 2;
  *value = Field();
  for (Field f; r.Next(&f);) {
    if (f.number == 1) *key = f;
    else if (f.number == 2) *value = f;
  }
  return !r.error() && key->wire_type == 2;
}

Value MapValue(const Entry& e, const Field& value) {
  if (value.number == 2) return Decode(e, value);
  // Absent: the default, as a parsed message would have it.
  switch (e.kind) {
    case Kind::kString: return Value::String(absl::string_view());
    case Kind::kStruct: return MapObject(absl::string_view(), *Registry::Get().struct_fields());
    case Kind::kListValue: case Kind::kMessage:
      return e.kind == Kind::kMessage ? MessageObject(absl::string_view(), e.sub)
                                      : RepeatedList(absl::string_view(), *Registry::Get().list_values());
    default: return Value();  // A Value with no kind reads as missing, as in the reflection view.
  }
}

// Members of a message. a/b: the message bytes and its Table id.
class MessageAdapter final : public NodeAdapter {
 public:
  Value Get(const Value& object, absl::string_view key) const override {
    const Table& t = *Registry::Get().table(HandleId(object));
    auto it = t.by_name.find(key);
    return it == t.by_name.end() ? Value() : FieldOf(Bytes(object), *it->second);
  }
  Value At(const Value&, size_t) const override { return Value(); }
  size_t Size(const Value& node) const override {
    size_t n = 0;
    ForEachMember(node, [&n](absl::string_view, const Value&) { return ++n, true; });
    return n;
  }
  void ForEachElement(const Value&, absl::FunctionRef<bool(const Value&)>) const override {}
  void ForEachMember(const Value& object,
                     absl::FunctionRef<bool(absl::string_view, const Value&)> fn) const override {
    // One pass marks which known fields occur; members then come in field-number order, like the reflection
    // view (a JSON document would keep its own order).
    const Table& t = *Registry::Get().table(HandleId(object));
    const absl::string_view bytes = Bytes(object);
    std::array<uint64_t, 4> small{};
    std::vector<bool> large;
    const bool use_small = t.by_number.size() <= small.size() * 64;
    if (!use_small) large.resize(t.by_number.size());
    Reader r(bytes);
    for (Field f; r.Next(&f);) {
      if (t.ByNumber(f.number) == nullptr) continue;
      if (use_small) small[f.number / 64] |= uint64_t{1} << (f.number % 64);
      else large[f.number] = true;
    }
    for (const auto& e : t.entries) {
      const bool seen = use_small ? (small[e->number / 64] >> (e->number % 64)) & 1 : large[e->number];
      if (!seen) continue;
      Value v = FieldOf(bytes, *e);
      if (!v.is_missing() && !fn(e->json_name, v)) return;
    }
  }

  static Value FieldOf(absl::string_view bytes, const Entry& e) {
    if (e.kind == Kind::kUnsupported) return Value();
    if (e.map) return MapObject(bytes, e);
    if (e.repeated) return RepeatedList(bytes, e);
    Reader r(bytes);
    Field last;
    bool found = false;
    for (Field f; r.Next(&f);) {
      if (f.number == e.number) {
        last = f;
        found = true;
      }
    }
    return found ? Decode(e, last) : Value();
  }
};

// Elements of a repeated field. a/b: the parent message's bytes and the field's Entry id.
class ListAdapter final : public NodeAdapter {
 public:
  Value Get(const Value&, absl::string_view) const override { return Value(); }
  Value At(const Value& list, size_t index) const override {
    Value out;
    size_t i = 0;
    ForEachElement(list, [&](const Value& v) {
      if (i++ != index) return true;
      out = v;
      return false;
    });
    return out;
  }
  size_t Size(const Value& node) const override {
    const Entry& e = *Registry::Get().entry(HandleId(node));
    size_t n = 0;
    Reader r(Bytes(node));
    for (Field f; r.Next(&f);) n += f.number == e.number ? 1 : 0;
    return n;
  }
  void ForEachElement(const Value& list, absl::FunctionRef<bool(const Value&)> fn) const override {
    const Entry& e = *Registry::Get().entry(HandleId(list));
    Reader r(Bytes(list));
    for (Field f; r.Next(&f);) {
      if (f.number == e.number && !fn(Decode(e, f))) return;
    }
  }
  void ForEachMember(const Value&, absl::FunctionRef<bool(absl::string_view, const Value&)>) const override {}
};

// Members of a map<string, V> field, or of a Struct. a/b: the parent message's bytes and the map's Entry id.
class MapAdapter final : public NodeAdapter {
 public:
  Value Get(const Value& object, absl::string_view key) const override {
    const Entry& e = *Registry::Get().entry(HandleId(object));
    Value out;
    ForEachEntry(object, [&](const Field& k, const Field& v) {
      if (k.data == key) out = MapValue(e, v);  // Keep going: the last entry with a key wins.
      return true;
    });
    return out;
  }
  Value At(const Value&, size_t) const override { return Value(); }
  size_t Size(const Value& node) const override {
    size_t n = 0;
    ForEachUniqueEntry(node, [&n](const Field&, const Field&) { return ++n, true; });
    return n;
  }
  void ForEachElement(const Value&, absl::FunctionRef<bool(const Value&)>) const override {}
  void ForEachMember(const Value& object,
                     absl::FunctionRef<bool(absl::string_view, const Value&)> fn) const override {
    const Entry& e = *Registry::Get().entry(HandleId(object));
    ForEachUniqueEntry(object, [&](const Field& k, const Field& v) { return fn(k.data, MapValue(e, v)); });
  }

 private:
  static constexpr size_t kPairwiseMax = 16;

  // The entries a parsed map holds: protobuf keeps the last entry of a key, so an entry is skipped when a later
  // one has its key. Small maps compare keys pairwise; larger ones hash them (only when a rule iterates a map;
  // Get needs neither).
  static void ForEachUniqueEntry(const Value& object, absl::FunctionRef<bool(const Field&, const Field&)> fn) {
    size_t n = 0;
    ForEachEntry(object, [&n](const Field&, const Field&) { return ++n, true; });
    size_t i = 0;
    if (n <= kPairwiseMax) {
      std::array<absl::string_view, kPairwiseMax> keys;
      ForEachEntry(object, [&](const Field& k, const Field&) { return keys[i++] = k.data, true; });
      i = 0;
      ForEachEntry(object, [&](const Field& k, const Field& v) {
        const size_t me = i++;
        for (size_t j = me + 1; j < n; ++j) {
          if (keys[j] == k.data) return true;
        }
        return fn(k, v);
      });
      return;
    }
    absl::flat_hash_map<absl::string_view, size_t> last;
    ForEachEntry(object, [&](const Field& k, const Field&) { return last[k.data] = i++, true; });
    i = 0;
    ForEachEntry(object, [&](const Field& k, const Field& v) { return last[k.data] != i++ || fn(k, v); });
  }

  static void ForEachEntry(const Value& object, absl::FunctionRef<bool(const Field&, const Field&)> fn) {
    const Entry& e = *Registry::Get().entry(HandleId(object));
    Reader r(Bytes(object));
    Field key, value;
    for (Field f; r.Next(&f);) {
      if (f.number != e.number || f.wire_type != 2 || !MapEntry(f.data, &key, &value)) continue;
      if (!fn(key, value)) return;
    }
  }
};

const MessageAdapter kMessageAdapter;
const ListAdapter kListAdapter;
const MapAdapter kMapAdapter;

// The root of an AuditEventWire. a: the AuditEventWire.
class IndexedRootAdapter final : public NodeAdapter {
 public:
  Value Get(const Value& object, absl::string_view key) const override {
    const Table& t = *Registry::Get().audit_event();
    auto it = t.by_name.find(key);
    return it == t.by_name.end() ? Value() : FieldOf(Wire(object), *it->second);
  }
  Value At(const Value&, size_t) const override { return Value(); }
  size_t Size(const Value& node) const override {
    size_t n = 0;
    ForEachMember(node, [&n](absl::string_view, const Value&) { return ++n, true; });
    return n;
  }
  void ForEachElement(const Value&, absl::FunctionRef<bool(const Value&)>) const override {}
  void ForEachMember(const Value& object,
                     absl::FunctionRef<bool(absl::string_view, const Value&)> fn) const override {
    const AuditEventWire& w = Wire(object);
    for (const auto& e : Registry::Get().audit_event()->entries) {
      Value v = FieldOf(w, *e);
      if (!v.is_missing() && !fn(e->json_name, v)) return;
    }
  }

 private:
  static const AuditEventWire& Wire(const Value& v) {
    return *reinterpret_cast<const AuditEventWire*>(static_cast<uintptr_t>(v.node_a()));
  }
  static Value FieldOf(const AuditEventWire& w, const Entry& e) {
    if (e.number > AuditEventWire::kMaxIndexedField) return MessageAdapter::FieldOf(w.bytes(), e);
    if (!w.present(e.number) || e.kind == Kind::kUnsupported) return Value();
    const AuditEventWire::Slot& slot = w.slot(e.number);
    if (e.map || e.repeated) {
      // The byte range from the first occurrence to the last holds whole fields: a message of its own.
      const absl::string_view range = w.bytes().substr(slot.begin, slot.end - slot.begin);
      return e.map ? MapObject(range, e) : RepeatedList(range, e);
    }
    Reader r(w.bytes().substr(slot.last_begin, slot.end - slot.last_begin));
    Field f;
    return r.Next(&f) ? Decode(e, f) : Value();
  }
};

const IndexedRootAdapter kIndexedRootAdapter;

// Present when at least one occurrence exists (an empty repeated or map field reads as missing).
bool Occurs(absl::string_view parent, uint32_t number) {
  Reader r(parent);
  for (Field f; r.Next(&f);) {
    if (f.number == number) return true;
  }
  return false;
}

Value MessageObject(absl::string_view bytes, const Table* table) {
  return Value::Node(ValueKind::kObject, &kMessageAdapter, Ptr(bytes), Pack(bytes, table->id));
}

Value RepeatedList(absl::string_view parent, const Entry& e) {
  // ListValue.values is a list even when empty; other repeated fields read as missing when empty.
  if (&e != Registry::Get().list_values() && !Occurs(parent, e.number)) return Value();
  return Value::Node(ValueKind::kList, &kListAdapter, Ptr(parent), Pack(parent, e.id));
}

Value MapObject(absl::string_view parent, const Entry& e) {
  // Struct.fields is an object even when empty; map fields read as missing when empty.
  if (&e != Registry::Get().struct_fields() && !Occurs(parent, e.number)) return Value();
  return Value::Node(ValueKind::kObject, &kMapAdapter, Ptr(parent), Pack(parent, e.id));
}

// google.protobuf.Value: a oneof; the last kind written wins.
Value ProtoValueOf(absl::string_view bytes) {
  Reader r(bytes);
  Value out;
  for (Field f; r.Next(&f);) {
    switch (f.number) {
      case 1: out = f.wire_type == 0 ? Value::Null() : Value(); break;
      case 2: out = f.wire_type == 1 ? NumberValue(Bits64(f.scalar)) : Value(); break;
      case 3: out = f.wire_type == 2 ? Value::String(f.data) : Value(); break;
      case 4: out = f.wire_type == 0 ? Value::Bool(f.scalar != 0) : Value(); break;
      case 5: out = f.wire_type == 2 ? MapObject(f.data, *Registry::Get().struct_fields()) : Value(); break;
      case 6: out = f.wire_type == 2 ? RepeatedList(f.data, *Registry::Get().list_values()) : Value(); break;
      default: break;
    }
  }
  return out;
}

// ---- Validation -------------------------------------------------------------------------------------------

// Most audit strings are ASCII: check 8 bytes at a time and only hand the rest to simdjson's validator (whose
// per-call dispatch costs more than a short string).
bool ValidUtf8(absl::string_view s) {
  const char* p = s.data();
  size_t n = s.size();
  uint64_t high = 0;
  if (n >= 8) {
    for (; n > 8; p += 8, n -= 8) {
      uint64_t w;
      std::memcpy(&w, p, 8);
      high |= w;
    }
    uint64_t last;  // The last 8 bytes, overlapping the words already read.
    std::memcpy(&last, s.data() + s.size() - 8, 8);
    high |= last;
  } else {
    for (; n > 0; ++p, --n) high |= static_cast<uint8_t>(*p);
  }
  if ((high & 0x8080808080808080ull) == 0) return true;
  return simdjson::validate_utf8(s.data(), s.size());
}

uint8_t WireTypeOf(Kind k) {
  switch (k) {
    case Kind::kString: case Kind::kMessage: case Kind::kStruct: case Kind::kValue: case Kind::kListValue:
      return 2;
    case Kind::kDouble: case Kind::kFixed64: case Kind::kSFixed64: return 1;
    case Kind::kFloat: case Kind::kFixed32: case Kind::kSFixed32: return 5;
    default: return 0;
  }
}

absl::Status Malformed(absl::string_view what) {
  return absl::InvalidArgumentError(absl::StrCat("malformed audit_event: ", what));
}

// What validation is given and learns besides errors.
struct Check {
  size_t max_depth = kDefaultMaxEventDepth;
  // A singular message field (or a map entry's message value, or a Value's struct or list) occurs more than
  // once in one message: protobuf merges the occurrences, which the view does not (it reads the last).
  bool merge = false;
};

// The same words as the JSON parser's error (engine/json_event.cc): one limit, one message.
absl::Status TooDeep(const Check& check) {
  return absl::InvalidArgumentError(
      absl::StrCat("event nested too deep: more than max_event_depth ", check.max_depth, " levels"));
}

bool IsMessageKind(Kind k) {
  return k == Kind::kMessage || k == Kind::kStruct || k == Kind::kValue || k == Kind::kListValue;
}

// Levels are event levels, as a rule (or the same event as JSON) sees them: `level` is the level of the object
// or array a message stands for (the AuditEvent: 1). A sub-message, a map, a repeated field, a Struct and a
// ListValue are one level below their parent; a google.protobuf.Value is no level of its own.
absl::Status ValidateMessage(absl::string_view bytes, const Table* table, const Entry* synthetic, size_t level,
                             Check* check);

// One occurrence of field `e` (or a map's value, or a list element) held by an object or array at `parent`.
absl::Status ValidateValue(const Entry& e, const Field& f, size_t parent, Check* check) {
  if (e.kind == Kind::kUnsupported) return absl::OkStatus();
  if (f.wire_type != WireTypeOf(e.kind)) {
    return Malformed(absl::StrCat("field ", e.json_name.empty() ? "value" : e.json_name, " has wire type ",
                                  f.wire_type));
  }
  const Registry& reg = Registry::Get();
  switch (e.kind) {
    case Kind::kString:
      if (e.bytes) return absl::OkStatus();
      return ValidUtf8(f.data)
                 ? absl::OkStatus()
                 : Malformed(absl::StrCat("field ", e.json_name, " is not valid UTF-8"));
    case Kind::kMessage: return ValidateMessage(f.data, e.sub, nullptr, parent + 1, check);
    case Kind::kStruct: return ValidateMessage(f.data, nullptr, reg.struct_fields(), parent + 1, check);
    case Kind::kListValue: return ValidateMessage(f.data, nullptr, reg.list_values(), parent + 1, check);
    case Kind::kValue: {
      Reader r(f.data);
      int structs = 0, lists = 0;
      for (Field g; r.Next(&g);) {
        absl::Status s;
        if (g.number == 3 && g.wire_type == 2 && !ValidUtf8(g.data)) {
          s = Malformed("a string value is not valid UTF-8");
        } else if (g.number == 5 && g.wire_type == 2) {
          s = ValidateMessage(g.data, nullptr, reg.struct_fields(), parent + 1, check);
          ++structs;
        } else if (g.number == 6 && g.wire_type == 2) {
          s = ValidateMessage(g.data, nullptr, reg.list_values(), parent + 1, check);
          ++lists;
        }
        if (!s.ok()) return s;
      }
      if (structs > 1 || lists > 1) check->merge = true;
      return r.error() ? Malformed("bad google.protobuf.Value") : absl::OkStatus();
    }
    default: return absl::OkStatus();
  }
}

// A message of `table`, or (table null) a Struct / ListValue whose one field is `synthetic`.
absl::Status ValidateMessage(absl::string_view bytes, const Table* table, const Entry* synthetic, size_t level,
                             Check* check) {
  if (level > check->max_depth) return TooDeep(*check);
  // A message's map and repeated fields are objects and arrays one level down; a Struct's members and a
  // ListValue's elements are in the Struct or ListValue itself.
  const size_t container = table != nullptr ? level + 1 : level;
  Reader r(bytes);
  uint64_t seen = 0;  // Singular message fields met so far, by field number (all below 64 in the schema).
  for (Field f; r.Next(&f);) {
    const Entry* e = table != nullptr ? table->ByNumber(f.number) : (f.number == synthetic->number ? synthetic : nullptr);
    if (e == nullptr) continue;  // Unknown field: skipped, as protobuf keeps and ignores it.
    if (e->repeated && e->kind != Kind::kUnsupported && container > check->max_depth) return TooDeep(*check);
    if (!e->map) {
      if (!e->repeated && IsMessageKind(e->kind)) {
        const uint64_t bit = e->number < 64 ? uint64_t{1} << e->number : 0;
        if (bit == 0 || (seen & bit) != 0) check->merge = true;
        seen |= bit;
      }
      if (absl::Status s = ValidateValue(*e, f, e->repeated ? container : level, check); !s.ok()) return s;
      continue;
    }
    if (f.wire_type != 2) return Malformed(absl::StrCat("map field ", e->json_name, " has wire type ", f.wire_type));
    // Every occurrence of the key and the value, not only the last one (the one read): protobuf's parser
    // reads them all, and refuses the entry if any is malformed.
    Reader entry(f.data);
    int values = 0;
    for (Field g; entry.Next(&g);) {
      if (g.number == 1) {
        if (g.wire_type != 2) return Malformed(absl::StrCat("bad entry in map ", e->json_name));
        if (!ValidUtf8(g.data)) return Malformed("a map key is not valid UTF-8");
      } else if (g.number == 2) {
        if (absl::Status s = ValidateValue(*e, g, container, check); !s.ok()) return s;
        ++values;
      }
    }
    if (values > 1 && IsMessageKind(e->kind)) check->merge = true;
    if (entry.error()) return Malformed(absl::StrCat("bad entry in map ", e->json_name));
  }
  return r.error() ? Malformed("truncated or invalid field") : absl::OkStatus();
}

// What protobuf's parser makes of `serialized`, serialized again: each singular field once, sub-messages
// merged, each map key once. For the rare event whose Check says merge.
absl::Status MergeAsProtobuf(absl::string_view serialized, size_t max_depth, std::string* out) {
  v1::AuditEvent event;
  google::protobuf::io::CodedInputStream in(reinterpret_cast<const uint8_t*>(serialized.data()),
                                            static_cast<int>(serialized.size()));
  // An event level is at most three message levels (a Struct, its map entry, a Value), and validation bounded
  // the levels: protobuf's default limit (100) would refuse events the validator accepted.
  in.SetRecursionLimit(static_cast<int>(std::min<size_t>(3 * max_depth + 8, INT32_MAX)));
  if (!event.ParseFromCodedStream(&in) || !in.ConsumedEntireMessage()) {  // It stops at an END_GROUP tag too.
    return Malformed("protobuf's parser refuses the event");
  }
  out->clear();
  if (!event.SerializeToString(out)) return absl::InternalError("could not serialize a merged audit_event");
  return absl::OkStatus();
}

}  // namespace

absl::Status ValidateAuditEventWire(absl::string_view serialized, size_t max_depth) {
  Check check;
  check.max_depth = max_depth;
  return ValidateMessage(serialized, Registry::Get().audit_event(), nullptr, 1, &check);
}

Value AuditEventWireValue(absl::string_view serialized) {
  return MessageObject(serialized, Registry::Get().audit_event());
}

absl::Status AuditEventWire::Reset(absl::string_view serialized, size_t max_depth) {
  bytes_ = absl::string_view();
  present_ = 0;
  merged_event_ = false;
  if (merged_.capacity() > (size_t{64} << 10)) std::string().swap(merged_);  // Keep no large event per thread.
  if (serialized.size() > UINT32_MAX) return Malformed("larger than 4 GiB");
  Check check;
  check.max_depth = max_depth;
  if (absl::Status s = ValidateMessage(serialized, Registry::Get().audit_event(), nullptr, 1, &check); !s.ok()) {
    return s;
  }
  if (check.merge) {
    // Read what protobuf reads: its own parser merges the occurrences, and the view reads its serialization.
    if (absl::Status s = MergeAsProtobuf(serialized, max_depth, &merged_); !s.ok()) return s;
    serialized = merged_;
    merged_event_ = true;
    Check again;
    again.max_depth = max_depth;
    if (absl::Status s = ValidateMessage(serialized, Registry::Get().audit_event(), nullptr, 1, &again); !s.ok()) {
      return s;
    }
    if (again.merge) return absl::InternalError("protobuf's serialization of an audit_event repeats a field");
  }
  const char* base = serialized.data();
  Reader r(serialized);
  const char* before = base;
  for (Field f; r.Next(&f); before = base + r.offset(serialized)) {
    if (f.number > kMaxIndexedField) continue;
    Slot& slot = slots_[f.number];
    const uint32_t begin = static_cast<uint32_t>(before - base);
    const uint32_t end = static_cast<uint32_t>(r.offset(serialized));
    if (!present(f.number)) slot.begin = begin;
    slot.last_begin = begin;
    slot.end = end;
    present_ |= uint64_t{1} << f.number;
  }
  bytes_ = serialized;
  return absl::OkStatus();
}

Value AuditEventWire::root() const {
  return Value::Node(ValueKind::kObject, &kIndexedRootAdapter,
                     static_cast<uint64_t>(reinterpret_cast<uintptr_t>(this)), 0);
}

}  // namespace detect
