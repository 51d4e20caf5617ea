// EvaluateRequest {repeated Event events = 1; bool omit_rule_metadata = 2;}
// Event {string id = 1; string log_type = 2; oneof payload {AuditEvent audit_event = 3; bytes json = 4;}}
// Field numbers come from the generated k...FieldNumber constants, so a renumbered field cannot go unnoticed.
#include "server/request_view.h"

#include <deque>
#include <string>

#include "absl/container/inlined_vector.h"
#include "absl/strings/str_cat.h"
#include "detect/v1/detect.pb.h"
#include "proto/wire_reader.h"
#include "simdjson.h"

namespace detect::server {
namespace {

using v1::EvaluateRequest;
using v1::Event;

absl::Status Malformed(absl::string_view what) {
  return absl::InvalidArgumentError(absl::StrCat("malformed EvaluateRequest: ", what));
}

bool Utf8(absl::string_view s) { return simdjson::validate_utf8(s.data(), s.size()); }

absl::Status ParseEvent(absl::string_view bytes, EventView* e, std::deque<std::string>* merged) {
  wire::Reader r(bytes);
  // Occurrences of audit_event since the last json: protobuf merges them into one AuditEvent, which is what
  // parsing their concatenation gives.
  absl::InlinedVector<absl::string_view, 1> parts;
  for (wire::Field f; r.Next(&f);) {
    const bool known = f.number == Event::kIdFieldNumber || f.number == Event::kLogTypeFieldNumber ||
                       f.number == Event::kAuditEventFieldNumber || f.number == Event::kJsonFieldNumber;
    if (!known) continue;  // Unknown fields are skipped (protobuf's parser keeps them aside).
    if (f.wire_type != 2) return Malformed(absl::StrCat("Event field ", f.number, " has wire type ", f.wire_type));
    switch (f.number) {
      case Event::kIdFieldNumber: e->id = f.data; break;
      case Event::kLogTypeFieldNumber: e->log_type = f.data; break;
      case Event::kAuditEventFieldNumber:
        e->payload = EventView::Payload::kAuditEvent;
        e->data = f.data;
        parts.push_back(f.data);
        break;
      case Event::kJsonFieldNumber:  // Oneof: last wins.
        e->payload = EventView::Payload::kJson;
        e->data = f.data;
        parts.clear();
        break;
    }
  }
  if (r.error()) return Malformed("truncated Event");
  if (!Utf8(e->id) || !Utf8(e->log_type)) return Malformed("an event id or log_type is not valid UTF-8");
  if (parts.size() > 1) {
    std::string& joined = merged->emplace_back();
    for (absl::string_view part : parts) joined.append(part.data(), part.size());
    e->data = joined;
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status ParseRequestView(absl::string_view bytes, RequestView* out) {
  out->events.clear();
  out->omit_rule_metadata = false;
  out->merged_events.clear();
  wire::Reader r(bytes);
  for (wire::Field f; r.Next(&f);) {
    if (f.number == EvaluateRequest::kEventsFieldNumber) {
      if (f.wire_type != 2) return Malformed("events has the wrong wire type");
      out->events.emplace_back();
      if (absl::Status s = ParseEvent(f.data, &out->events.back(), &out->merged_events); !s.ok()) return s;
    } else if (f.number == EvaluateRequest::kOmitRuleMetadataFieldNumber) {
      if (f.wire_type != 0) return Malformed("omit_rule_metadata has the wrong wire type");
      out->omit_rule_metadata = f.scalar != 0;
    }
  }
  return r.error() ? Malformed("truncated or invalid field") : absl::OkStatus();
}

}  // namespace detect::server
