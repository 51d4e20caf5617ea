// The AuditEvent index (proto/audit_event_wire.h): validation, protobuf's merge for the rare event that needs it,
// one pass over the top-level tags, and the root adapter that reads top-level fields through the index. The
// descriptor registry, the wire adapters and the validator are proto/wire_schema.h, wire_value.h and
// wire_validate.h.
#include "proto/audit_event_wire.h"

#include <algorithm>
#include <cstdint>
#include <string>

#include "detect/v1/detect.pb.h"
#include "engine/node_adapters.h"
#include "google/protobuf/io/coded_stream.h"
#include "proto/wire_reader.h"
#include "proto/wire_schema.h"
#include "proto/wire_validate.h"
#include "proto/wire_value.h"

namespace detect {
namespace {

using wire::Entry;
using wire::Field;
using wire::Kind;
using wire::MalformedAuditEvent;
using wire::MessageField;
using wire::Reader;
using wire::Registry;
using wire::Table;

// What protobuf's parser makes of `serialized`, serialized again: each singular field once, sub-messages
// merged, each map key once. For the rare event whose validation says it needs one.
absl::Status MergeAsProtobuf(absl::string_view serialized, size_t max_depth, std::string* out) {
  v1::AuditEvent event;
  google::protobuf::io::CodedInputStream in(reinterpret_cast<const uint8_t*>(serialized.data()),
                                            static_cast<int>(serialized.size()));
  // An event level is at most three message levels (a Struct, its map entry, a Value), and validation bounded
  // the levels: protobuf's default limit (100) would refuse events the validator accepted.
  in.SetRecursionLimit(static_cast<int>(std::min<size_t>(3 * max_depth + 8, INT32_MAX)));
  if (!event.ParseFromCodedStream(&in) || !in.ConsumedEntireMessage()) {  // It stops at an END_GROUP tag too.
    return MalformedAuditEvent("protobuf's parser refuses the event");
  }
  out->clear();
  if (!event.SerializeToString(out)) return absl::InternalError("could not serialize a merged audit_event");
  return absl::OkStatus();
}

// The root of an AuditEventWire. a: the AuditEventWire.
class IndexedRootAdapter final : public ObjectNodeAdapter {
 public:
  Value Get(const Value& object, absl::string_view key) const override {
    const Table& t = *Registry::Get().audit_event();
    const Entry* e = t.ByName(key);
    return e == nullptr ? Value() : FieldOf(Wire(object), *e);
  }
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
    if (e.number > AuditEventWire::kMaxIndexedField) return MessageField(w.bytes(), e);
    if (!w.present(e.number) || e.kind == Kind::kUnsupported) return Value();
    const AuditEventWire::Slot& slot = w.slot(e.number);
    if (e.map || e.repeated) {
      // The byte range from the first occurrence to the last holds whole fields: a message of its own.
      const absl::string_view range = w.bytes().substr(slot.begin, slot.end - slot.begin);
      return e.map ? wire::MapObject(range, e) : wire::RepeatedList(range, e);
    }
    Reader r(w.bytes().substr(slot.last_begin, slot.end - slot.last_begin));
    Field f;
    return r.Next(&f) ? wire::Decode(e, f) : Value();
  }
};

const IndexedRootAdapter kIndexedRootAdapter;

}  // namespace

absl::Status ValidateAuditEventWire(absl::string_view serialized, size_t max_depth) {
  return wire::ValidateAuditEvent(serialized, max_depth, /*needs_merge=*/nullptr);
}

Value AuditEventWireValue(absl::string_view serialized) {
  return wire::MessageObject(serialized, wire::Registry::Get().audit_event());
}

absl::Status AuditEventWire::Reset(absl::string_view serialized, size_t max_depth) {
  bytes_ = absl::string_view();
  present_ = 0;
  merged_event_ = false;
  if (merged_.capacity() > (size_t{64} << 10)) std::string().swap(merged_);  // Keep no large event per thread.
  if (serialized.size() > UINT32_MAX) return wire::MalformedAuditEvent("larger than 4 GiB");
  bool needs_merge = false;
  if (absl::Status s = wire::ValidateAuditEvent(serialized, max_depth, &needs_merge); !s.ok()) return s;
  if (needs_merge) {
    // Read what protobuf reads: its own parser merges the occurrences, and the view reads its serialization.
    if (absl::Status s = MergeAsProtobuf(serialized, max_depth, &merged_); !s.ok()) return s;
    serialized = merged_;
    merged_event_ = true;
    bool again = false;
    if (absl::Status s = wire::ValidateAuditEvent(serialized, max_depth, &again); !s.ok()) return s;
    if (again) return absl::InternalError("protobuf's serialization of an audit_event repeats a field");
  }
  const char* base = serialized.data();
  wire::Reader r(serialized);
  const char* before = base;
  for (wire::Field f; r.Next(&f); before = base + r.offset(serialized)) {
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