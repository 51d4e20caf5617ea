// Splits ingest bodies into the JSON text of each event, without copying: a Kubernetes audit webhook body
// (an audit.k8s.io/v1 EventList, or a single Event) and a body of events as NDJSON or one JSON array. Each
// event's text is evaluated as is; malformed events become per-event errors later, in the evaluator.
#ifndef DETECT_SERVER_INGEST_EVENT_SPLITTER_H_
#define DETECT_SERVER_INGEST_EVENT_SPLITTER_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace detect::server {

// `body` must have at least 64 bytes of capacity past its size (simdjson's padding; see kJsonPadding).
inline constexpr size_t kJsonPadding = 64;

// `{"kind":"EventList","items":[...]}` (the webhook's batch) or `{"kind":"Event",...}`: appends each
// event's JSON text to `events`. InvalidArgument naming the problem (not JSON, another kind, no items).
absl::Status SplitAuditWebhookBody(const std::string& body, std::vector<absl::string_view>* events);

// NDJSON (one event per non-blank line) or, when the first non-blank byte is '[', one JSON array of events.
// InvalidArgument only for an array that is not well-formed; a bad line is the evaluator's per-event error.
absl::Status SplitEventsBody(const std::string& body, std::vector<absl::string_view>* events);

}  // namespace detect::server

#endif  // DETECT_SERVER_INGEST_EVENT_SPLITTER_H_
