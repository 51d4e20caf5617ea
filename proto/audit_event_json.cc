// AuditEvent <-> JSON through protobuf's JSON mapping (json_name options carry Kubernetes' field names).
#include "proto/audit_event_json.h"

#include "absl/strings/str_cat.h"
#include "google/protobuf/util/json_util.h"

namespace detect {

absl::Status AuditEventFromJson(absl::string_view json, v1::AuditEvent* event) {
  event->Clear();
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = true;
  auto status = google::protobuf::util::JsonStringToMessage(
      google::protobuf::StringPiece(json.data(), json.size()), event, options);
  if (!status.ok()) {
    return absl::InvalidArgumentError(absl::StrCat("not an AuditEvent: ", status.message().ToString()));
  }
  return absl::OkStatus();
}

std::string AuditEventToJson(const v1::AuditEvent& event) {
  std::string out;
  google::protobuf::util::JsonPrintOptions options;
  (void)google::protobuf::util::MessageToJsonString(event, &out, options);
  return out;
}

}  // namespace detect
