// POST /v1/firehose: the Amazon Data Firehose HTTP endpoint destination contract (IngestServer's members for
// it). Every record is decoded and evaluated in turn, so memory holds one decompressed record at a time; the
// reply is the JSON Firehose expects, 200 only when every record's events were evaluated and handed over.
// Any other status carries errorMessage and Firehose resends the whole request (at-least-once: records
// before the failing one are then evaluated twice).
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "server/ingest/firehose_decode.h"
#include "server/ingest/ingest_server.h"
#include "server/log.h"

namespace detect::server {

HttpResponse IngestServer::FirehoseReply(absl::string_view request_id, int status, absl::string_view error) {
  HttpResponse r;
  r.status = status;
  r.content_type = "application/json";
  r.body = FirehoseReplyBody(request_id, absl::ToUnixMillis(absl::Now()), status == 200 ? "" : error);
  return r;
}

HttpResponse IngestServer::FirehoseRefusal(HttpRequest& request, HttpResponse plain) {
  HttpResponse reply = FirehoseReply(request.header("X-Amz-Firehose-Request-Id"), plain.status,
                                     absl::StripTrailingAsciiWhitespace(plain.body));
  reply.headers = std::move(plain.headers);
  return reply;
}

HttpResponse IngestServer::Firehose(HttpRequest& request) {
  constexpr IngestEndpoint kEndpoint = IngestEndpoint::kFirehose;
  const std::string header_id(request.header("X-Amz-Firehose-Request-Id"));
  if (std::optional<HttpResponse> error = DecodeBody(kEndpoint, request)) {
    return FirehoseRefusal(request, *std::move(error));
  }
  absl::StatusOr<FirehoseRequest> parsed = ParseFirehoseRequest(request.body);
  if (!parsed.ok()) {
    Refuse(kEndpoint, 400, "bad_request", parsed.status().message());
    return FirehoseReply(header_id, 400, parsed.status().message());
  }
  request.body = std::string();  // The records hold the (decoded) data now.
  const std::string& id = parsed->request_id;
  FirehoseLabels labels;
  labels.source_label = options_.firehose_source_label;
  labels.log_type = options_.firehose_log_type;
  const std::string log_type = QueryLogType(request.query);  // Overrides every event's p_log_type.
  size_t events = 0, controls = 0;
  for (size_t i = 0; i < parsed->records.size(); ++i) {
    absl::StatusOr<CloudWatchMessage> message =
        DecodeCloudWatchRecord(parsed->records[i], options_.max_body_bytes, labels);
    std::string().swap(parsed->records[i]);
    if (!message.ok()) {
      const bool too_large = message.status().code() == absl::StatusCode::kResourceExhausted;
      const std::string error = absl::StrCat("record ", i, ": ", message.status().message());
      Refuse(kEndpoint, too_large ? 413 : 400, too_large ? "too_large" : "bad_request", error);
      return FirehoseReply(id, too_large ? 413 : 400, error);
    }
    if (message->control) {
      ++controls;
      continue;
    }
    const std::vector<absl::string_view> views(message->events.begin(), message->events.end());
    const HttpResponse evaluated = Evaluate(kEndpoint, views, log_type);
    if (evaluated.status != 200) return FirehoseReply(id, evaluated.status, absl::StrCat("record ", i, ": ", evaluated.body));
    events += views.size();
  }
  Log(LogLevel::kDebug, "firehose request",
      {{"request_id", id}, {"records", parsed->records.size()}, {"events", events}, {"control_messages", controls}});
  return FirehoseReply(id, 200, "");
}

}  // namespace detect::server
