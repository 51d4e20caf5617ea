// JSON text -> typed AuditEvent, for clients that send typed events (detectctl without --raw, tests).
//
// The conversion uses protobuf's JSON mapping with unknown fields ignored: keys that AuditEvent does not model
// (e.g. a cluster-specific top-level field) are dropped, so rules cannot see them. Send such events as raw
// JSON bytes (Event.json, `detectctl --raw`), which preserves everything.
#ifndef DETECT_PROTO_AUDIT_EVENT_JSON_H_
#define DETECT_PROTO_AUDIT_EVENT_JSON_H_

#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "detect/v1/detect.pb.h"

namespace detect {

// Parses one JSON object into `event` (cleared first). InvalidArgument when the text is not a JSON object or
// a modeled field has the wrong type (e.g. `sourceIPs` not a list of strings). Thread-safe.
absl::Status AuditEventFromJson(absl::string_view json, v1::AuditEvent* event);

// The JSON text of `event`, with Kubernetes' field names (for messages and tests).
std::string AuditEventToJson(const v1::AuditEvent& event);

}  // namespace detect

#endif  // DETECT_PROTO_AUDIT_EVENT_JSON_H_
