// RequestView: an EvaluateRequest read straight from its serialized bytes. The service receives requests as
// raw bytes and hands the evaluator views: event ids and JSON payloads are not copied, and typed events stay
// serialized for the wire-format view (proto/audit_event_wire.h) instead of being parsed into messages.
#ifndef DETECT_SERVER_REQUEST_VIEW_H_
#define DETECT_SERVER_REQUEST_VIEW_H_

#include <cstdint>
#include <deque>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace detect::server {

// One detect.v1.Event. Views into the request bytes, which must outlive it.
struct EventView {
  enum class Payload : uint8_t { kNone, kAuditEvent, kJson };
  absl::string_view id;
  absl::string_view log_type;
  Payload payload = Payload::kNone;
  absl::string_view data;  // The serialized AuditEvent, or the JSON bytes.
};

// Thread-compatible; reuse one per thread or stream to keep the events vector's capacity.
struct RequestView {
  std::vector<EventView> events;
  bool omit_rule_metadata = false;
  // An Event whose audit_event occurs more than once: protobuf merges the occurrences, so its view reads their
  // concatenation, kept here (a deque: appending never moves an earlier string).
  std::deque<std::string> merged_events;
};

// Reads a serialized detect.v1.EvaluateRequest (`out` is reset first). InvalidArgument for malformed wire data,
// wrong wire types of known fields, or ids / log types that are not UTF-8. Unknown fields are skipped. The
// AuditEvent payloads are not checked here (see ValidateAuditEventWire).
absl::Status ParseRequestView(absl::string_view bytes, RequestView* out);

}  // namespace detect::server

#endif  // DETECT_SERVER_REQUEST_VIEW_H_
