// Typed events as detect::Value: a NodeAdapter over a parsed detect.v1.AuditEvent message (and the
// google.protobuf.Struct / Value / ListValue inside it), addressed by JSON field names. detectd reads the
// serialized bytes instead (proto/audit_event_wire.h); this reflection view is the independent oracle that the
// wire view is compared with (tests/proto, the audit_event_proto fuzzer, the typed benchmark), built only with
// the tests (library detect_test_audit_event_view).
//
// What a rule sees, compared with the same event as JSON:
//  - fields by their JSON names (`auditID`, `objectRef`, `p_log_type`); the proto names are not keys;
//  - an unset optional scalar or message field is missing; empty repeated and map fields are missing too;
//  - Struct numbers that are integral and below 2^53 in magnitude read as integers, others as doubles;
//  - map and Struct members iterate in an unspecified order (protobuf maps are hash maps).
// Strings are views into the message: a Value must not outlive the message it came from.
#ifndef DETECT_TESTS_TESTING_AUDIT_EVENT_VIEW_H_
#define DETECT_TESTS_TESTING_AUDIT_EVENT_VIEW_H_

#include "detect/v1/detect.pb.h"
#include "engine/value.h"
#include "google/protobuf/message.h"
#include "google/protobuf/struct.pb.h"

namespace detect {

// The root object of a typed event. Thread-safe: the adapters are stateless and read the message only.
Value AuditEventValue(const v1::AuditEvent& event);

// Any message of the detect.v1 audit schema (AuditEvent, UserInfo, ObjectReference, ResponseStatus), or any
// other generated message: the per-descriptor field table is built on first use and cached for the process.
Value MessageValue(const google::protobuf::Message& message);

// google.protobuf well-known JSON types.
Value StructValue(const google::protobuf::Struct& s);
Value ProtoValue(const google::protobuf::Value& v);

// Builds the field tables of AuditEvent and every message reachable from it now, so the first event does not
// pay for it. Optional: tables are otherwise built lazily (thread-safely).
void WarmUpAuditEventView();

}  // namespace detect

#endif  // DETECT_TESTS_TESTING_AUDIT_EVENT_VIEW_H_
