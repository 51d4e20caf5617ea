// Wire-format NodeAdapters: a detect::Value over the serialized bytes of a message of the audit schema, its
// repeated fields (lists), its map fields and google.protobuf.Structs (objects), read through the descriptor
// registry (proto/wire_schema.h). A lookup scans the message's tags once, skipping other fields by length.
// Internal to proto/: AuditEventWireValue and the AuditEventWire index (proto/audit_event_wire.h) build on it.
#ifndef DETECT_PROTO_WIRE_VALUE_H_
#define DETECT_PROTO_WIRE_VALUE_H_

#include "absl/strings/string_view.h"
#include "engine/value.h"
#include "proto/wire_reader.h"
#include "proto/wire_schema.h"

namespace detect::wire {

// Strings and nodes are views into the bytes given, which must outlive every Value read from them. Malformed
// bytes never crash a read but may read as missing (validate first: proto/wire_validate.h). Thread-safe.

// The members of a message of `table`.
Value MessageObject(absl::string_view bytes, const Table* table);
// The elements of repeated field `e` of the message `parent`; missing when it has none (ListValue.values is a
// list even when empty).
Value RepeatedList(absl::string_view parent, const Entry& e);
// The members of map field `e` (or a Struct's fields) of the message `parent`; missing when it has none
// (Struct.fields is an object even when empty). The last entry of a key wins, as in a parsed map.
Value MapObject(absl::string_view parent, const Entry& e);
// Field `e` of the message `message`, as a parsed message reads it: a singular field's last occurrence, every
// occurrence of a repeated one, the unique keys of a map.
Value MessageField(absl::string_view message, const Entry& e);
// One occurrence `f` of a singular field `e` (or one element of a repeated one), by kind and wire type; a wire
// type that does not fit the kind reads as missing.
Value Decode(const Entry& e, const Field& f);

}  // namespace detect::wire

#endif  // DETECT_PROTO_WIRE_VALUE_H_
