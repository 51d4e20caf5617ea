// The descriptor registry of the wire view (proto/audit_event_wire.h): per message type of the audit schema, a
// table of its fields (JSON name -> entry, field number -> entry) with each field's kind, built once per process
// from the generated descriptors, so reading or validating serialized bytes resolves no name per event.
// Internal to proto/: the wire adapters, the validator and the index share it.
#ifndef DETECT_PROTO_WIRE_SCHEMA_H_
#define DETECT_PROTO_WIRE_SCHEMA_H_

#include <cstdint>
#include <memory>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/string_view.h"
#include "common/string_table.h"
#include "google/protobuf/descriptor.h"

namespace detect::wire {

// How a field's occurrences are read. Struct, Value and ListValue are the JSON well-known types.
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
  const google::protobuf::FieldDescriptor* fd = nullptr;  // Null for synthetic entries (Struct.fields, ListValue.values).
  absl::string_view json_name;
  uint32_t id = 0;                         // Registry::entry(id) is this entry.
};

// The fields of one message type; Registry::table(id) is this table.
struct Table {
  uint32_t id = 0;
  std::vector<std::unique_ptr<Entry>> entries;                      // Field-number order.
  StringTable names;                                                // JSON names; ids index by_name.
  std::vector<const Entry*> by_name;
  std::vector<const Entry*> by_number;                              // Indexed by field number.
  const Entry* ByNumber(uint32_t n) const { return n < by_number.size() ? by_number[n] : nullptr; }
  // The entry of JSON name `name`, or null. A rule's every path step is one such lookup per event.
  const Entry* ByName(absl::string_view name) const {
    const int id = names.Find(name);
    return id < 0 ? nullptr : by_name[static_cast<size_t>(id)];
  }
};

// Whether a field of this kind holds a message (a sub-message, Struct, Value or ListValue).
inline bool IsMessageKind(Kind k) {
  return k == Kind::kMessage || k == Kind::kStruct || k == Kind::kValue || k == Kind::kListValue;
}

// The tables of detect.v1.AuditEvent and every message type reachable from it, plus the synthetic entries of
// google.protobuf.Struct (map<string, Value> fields = 1) and ListValue (repeated Value values = 1). Built on
// first use; immutable after, so thread-safe. Entries and tables live for the process; handles carry their ids.
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
  Registry();
  Entry* Synthetic(uint32_t number, Kind kind, bool map);
  const Table* TableFor(const google::protobuf::Descriptor* d);
  void SetKind(const google::protobuf::FieldDescriptor* fd, Entry* e);

  std::vector<std::unique_ptr<Table>> tables_;
  std::vector<std::unique_ptr<Entry>> synthetic_;
  std::vector<const Entry*> entries_;  // Every entry, indexed by Entry::id.
  absl::flat_hash_map<const google::protobuf::Descriptor*, const Table*> by_descriptor_;
  const Table* audit_event_ = nullptr;
  const Entry* struct_fields_ = nullptr;
  const Entry* list_values_ = nullptr;
};

}  // namespace detect::wire

#endif  // DETECT_PROTO_WIRE_SCHEMA_H_
