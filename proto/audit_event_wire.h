// Typed events straight from the wire: a detect::Value over the serialized bytes of a detect.v1.AuditEvent
// (protobuf wire format), so the server evaluates typed events without parsing them into message objects.
// Parsing an AuditEvent allocates a string per long field and a node per Struct member; this view allocates
// nothing and reads fields only when a rule asks for them. It reads exactly like AuditEventValue() of the parsed
// message (the test oracle tests/testing/audit_event_view.h; tests/proto/audit_event_view_test.cc holds them side by side):
//  - fields by JSON name; unset fields missing; empty repeated and map fields missing;
//  - Struct numbers integral and below 2^53 read as integers;
//  - a field that occurs more than once reads as protobuf's parser reads it (AuditEventWire; the bare
//    AuditEventWireValue reads a singular field's last occurrence): singular scalars, last wins; repeated
//    fields, every occurrence in order; sub-messages (and a Value's struct or list), merged recursively; maps,
//    the last entry of a key. Serializers write each field once; a client (or an attacker) may not, and a rule
//    must not be evaded by splitting a sub-message in two (issue 12, item 7).
#ifndef DETECT_PROTO_AUDIT_EVENT_WIRE_H_
#define DETECT_PROTO_AUDIT_EVENT_WIRE_H_

#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "engine/value.h"

namespace detect {

inline constexpr size_t kDefaultMaxEventDepth = 256;  // EngineOptions().max_event_depth; event_depth_test checks.

// Checks that `serialized` is a well-formed AuditEvent: tags, lengths and wire types of every known field (at
// any depth) and UTF-8 in string fields, as protobuf's parser would, and that it nests at most `max_depth`
// event levels (EngineOptions::max_event_depth, counted as for JSON: the event is level 1, each object or array
// a rule sees inside it adds one; a Struct in a Value in a Struct is one level, not three). Unknown fields
// are skipped. InvalidArgument says what is wrong. Thread-safe.
absl::Status ValidateAuditEventWire(absl::string_view serialized, size_t max_depth = kDefaultMaxEventDepth);

// The root object of a serialized AuditEvent. Strings are views into `serialized`, which must outlive the Value.
// Validate first: unvalidated malformed bytes never crash a read, but may read as missing. Each lookup scans
// the message's tags; AuditEventWire below indexes the top level once instead. Thread-safe.
Value AuditEventWireValue(absl::string_view serialized);

// A validated serialized AuditEvent with its top-level fields indexed in one pass, so a rule's lookup of a
// top-level field is O(1) and a repeated field's elements are found without scanning the whole event. The
// evaluator keeps one per thread and resets it per event. Thread-compatible.
class AuditEventWire {
 public:
  // Validates `serialized` (as ValidateAuditEventWire) and indexes it. `serialized` must outlive root(). When a
  // singular sub-message occurs more than once anywhere in the event (validation notices it at no extra cost),
  // protobuf's own parser merges the event and the view indexes its serialization, kept here: a rare path
  // that costs one parse and one serialization of that event.
  absl::Status Reset(absl::string_view serialized, size_t max_depth = kDefaultMaxEventDepth);
  // Whether the last Reset read a merged copy (for tests).
  bool merged() const { return merged_event_; }
  // The root object; valid until the next Reset.
  Value root() const;

  // Where a top-level field occurs: its last occurrence, and the byte range from its first to its last.
  struct Slot {
    uint32_t begin = 0;
    uint32_t end = 0;
    uint32_t last_begin = 0;
  };
  static constexpr int kMaxIndexedField = 63;

  absl::string_view bytes() const { return bytes_; }
  bool present(uint32_t number) const { return number <= kMaxIndexedField && (present_ >> number) & 1; }
  const Slot& slot(uint32_t number) const { return slots_[number]; }

 private:
  absl::string_view bytes_;
  std::string merged_;  // The merged serialization, when the event needed one.
  bool merged_event_ = false;
  uint64_t present_ = 0;
  Slot slots_[kMaxIndexedField + 1];
};

}  // namespace detect

#endif  // DETECT_PROTO_AUDIT_EVENT_WIRE_H_
