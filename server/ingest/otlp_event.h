// The audit event an OTLP log record carries, as JSON text for the evaluator: a string body is the event's JSON
// as the collector read it (the filelog receiver's line), a kvlist body is the event as a map (converted to
// the equivalent JSON object). The resource's k8s.cluster.name becomes the event's p_source_label.
#ifndef DETECT_SERVER_INGEST_OTLP_EVENT_H_
#define DETECT_SERVER_INGEST_OTLP_EVENT_H_

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "opentelemetry/proto/common/v1/common.pb.h"
#include "opentelemetry/proto/resource/v1/resource.pb.h"

namespace detect::server {

// The resource attribute naming the cluster (OpenTelemetry semantic conventions).
inline constexpr char kOtlpClusterAttribute[] = "k8s.cluster.name";

// Deepest nesting of arrays and maps a kvlist body may have.
inline constexpr int kOtlpMaxBodyDepth = 64;

// The string value of the resource's k8s.cluster.name attribute, empty if it has none.
std::string OtlpClusterName(const opentelemetry::proto::resource::v1::Resource& resource);

// The event JSON of a log record's `body`: a view of the body's own string when it can be used as is, else of
// `storage` (replaced), which must outlive the view as `body` must. `source_label`, when not empty, is added as
// "p_source_label" unless the event has that key already. InvalidArgument naming the problem for a body that
// is not an event: absent, a scalar or array, a string that is not a JSON object, or nested deeper than
// kOtlpMaxBodyDepth. (A string body is checked only for its leading '{'; the evaluator parses it.)
absl::StatusOr<absl::string_view> OtlpEventJson(const opentelemetry::proto::common::v1::AnyValue& body,
                                                absl::string_view source_label, std::string* storage);

// Appends `value` as JSON: maps as objects (the last of duplicate keys wins), arrays, strings, int64 as numbers,
// non-finite doubles as null, bytes as base64 strings, an empty AnyValue as null.
absl::Status AppendAnyValueJson(const opentelemetry::proto::common::v1::AnyValue& value, int depth,
                                std::string* out);

}  // namespace detect::server

#endif  // DETECT_SERVER_INGEST_OTLP_EVENT_H_
