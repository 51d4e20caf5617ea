// Validation of a serialized detect.v1.AuditEvent, as protobuf's parser would check it (tags, lengths and wire
// types of every known field at any depth, UTF-8 in string fields), with the event depth limit counted in event
// levels. Internal to proto/: ValidateAuditEventWire and AuditEventWire::Reset (proto/audit_event_wire.h) call it.
#ifndef DETECT_PROTO_WIRE_VALIDATE_H_
#define DETECT_PROTO_WIRE_VALIDATE_H_

#include <cstddef>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace detect::wire {

// Checks `serialized` as ValidateAuditEventWire documents. When `needs_merge` is not null, it is set to whether
// a singular message field (or a map entry's message value, or a Value's struct or list) occurs more than once
// in one message: protobuf merges such occurrences, which the wire view does not (it reads the last), so the
// event must be merged first. Thread-safe.
absl::Status ValidateAuditEvent(absl::string_view serialized, size_t max_depth, bool* needs_merge);

// InvalidArgument "malformed audit_event: <what>": the one wording of every malformed typed event.
absl::Status MalformedAuditEvent(absl::string_view what);

}  // namespace detect::wire

#endif  // DETECT_PROTO_WIRE_VALIDATE_H_
