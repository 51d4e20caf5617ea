// Wire-format NodeAdapters (proto/wire_value.h). Handles: a = pointer to a message's bytes, b = its length in the
// low 40 bits and a table or field-entry id (proto/wire_schema.h) in the high 24.
#include "proto/wire_value.h"

#include <array>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/functional/function_ref.h"
#include "engine/node_adapters.h"

namespace detect::wire {
namespace {

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

Value ProtoValueOf(absl::string_view bytes);

}  // namespace

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

namespace {

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
class MessageAdapter final : public ObjectNodeAdapter {
 public:
  Value Get(const Value& object, absl::string_view key) const override {
    const Table& t = *Registry::Get().table(HandleId(object));
    const Entry* e = t.ByName(key);
    return e == nullptr ? Value() : MessageField(Bytes(object), *e);
  }
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
      Value v = MessageField(bytes, *e);
      if (!v.is_missing() && !fn(e->json_name, v)) return;
    }
  }
};

// Elements of a repeated field. a/b: the parent message's bytes and the field's Entry id.
class ListAdapter final : public ListNodeAdapter {
 public:
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
};

// Members of a map<string, V> field, or of a Struct. a/b: the parent message's bytes and the map's Entry id.
class MapAdapter final : public ObjectNodeAdapter {
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


// Present when at least one occurrence exists (an empty repeated or map field reads as missing).
bool Occurs(absl::string_view parent, uint32_t number) {
  Reader r(parent);
  for (Field f; r.Next(&f);) {
    if (f.number == number) return true;
  }
  return false;
}

}  // namespace

Value MessageField(absl::string_view message, const Entry& e) {
  if (e.kind == Kind::kUnsupported) return Value();
  if (e.map) return MapObject(message, e);
  if (e.repeated) return RepeatedList(message, e);
  Reader r(message);
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

namespace {

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

}  // namespace

}  // namespace detect::wire
