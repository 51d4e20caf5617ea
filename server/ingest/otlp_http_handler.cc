// POST /v1/logs: content negotiation, decoding, and OTLP/HTTP answers.
#include "server/ingest/otlp_http_handler.h"

#include <string>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "common/json_escape.h"
#include "google/protobuf/util/json_util.h"
#include "server/log.h"

namespace detect::server {
namespace {

using opentelemetry::proto::collector::logs::v1::ExportLogsServiceRequest;
using opentelemetry::proto::collector::logs::v1::ExportLogsServiceResponse;

constexpr char kProtobuf[] = "application/x-protobuf";
constexpr char kJson[] = "application/json";

void AppendVarint(uint64_t v, std::string* out) {
  while (v >= 0x80) {
    out->push_back(static_cast<char>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  out->push_back(static_cast<char>(v));
}

HttpResponse Answer(int status, bool json, std::string body) {
  HttpResponse r;
  r.status = status;
  r.content_type = json ? kJson : kProtobuf;
  r.body = std::move(body);
  return r;
}

HttpResponse Fail(IngestMetrics* metrics, int status, absl::string_view reason, absl::StatusCode code,
                  absl::string_view message, bool json) {
  metrics->RecordError(IngestEndpoint::kOtlpHttp, reason);
  return Answer(status, json, EncodeRpcStatus(static_cast<int>(code), message, json));
}

}  // namespace

std::string EncodeRpcStatus(int code, absl::string_view message, bool json) {
  std::string out;
  if (json) {
    absl::StrAppend(&out, "{\"code\":", code, ",\"message\":");
    AppendJsonString(message, &out);
    out += "}";
    return out;
  }
  out.push_back(0x08);  // Field 1 (code), varint.
  AppendVarint(static_cast<uint32_t>(code), &out);
  out.push_back(0x12);  // Field 2 (message), length-delimited.
  AppendVarint(message.size(), &out);
  out.append(message.data(), message.size());
  return out;
}

HttpResponse OtlpHttpRefusal(HttpRequest& request, HttpResponse plain) {
  std::string type = absl::AsciiStrToLower(request.header("Content-Type"));
  const bool json = absl::StripAsciiWhitespace(absl::string_view(type).substr(0, type.find(';'))) == kJson;
  absl::StatusCode code = absl::StatusCode::kInvalidArgument;  // 400, 415.
  switch (plain.status) {
    case 401: code = absl::StatusCode::kUnauthenticated; break;
    case 408: code = absl::StatusCode::kDeadlineExceeded; break;
    case 413:
    case 429: code = absl::StatusCode::kResourceExhausted; break;
    default: break;
  }
  HttpResponse r = Answer(plain.status, json,
                          EncodeRpcStatus(static_cast<int>(code), absl::StripTrailingAsciiWhitespace(plain.body), json));
  r.headers = std::move(plain.headers);
  return r;
}

HttpResponse HandleOtlpHttpLogs(const OtlpLogsIngest& ingest, IngestMetrics* metrics, HttpRequest& request) {
  std::string type = absl::AsciiStrToLower(request.header("Content-Type"));
  type = std::string(absl::StripAsciiWhitespace(type.substr(0, type.find(';'))));
  const bool json = type == kJson;
  if (!json && type != kProtobuf) {
    return Fail(metrics, 415, "bad_request", absl::StatusCode::kInvalidArgument,
                absl::StrCat("Content-Type '", type, "' is not supported (", kProtobuf, " or ", kJson, ")"), false);
  }
  ExportLogsServiceRequest message;
  if (json) {
    google::protobuf::util::JsonParseOptions options;
    options.ignore_unknown_fields = true;  // Newer OTLP fields than detectd declares.
    const auto parsed = google::protobuf::util::JsonStringToMessage(request.body, &message, options);
    if (!parsed.ok()) {
      return Fail(metrics, 400, "bad_request", absl::StatusCode::kInvalidArgument,
                  absl::StrCat("body is not an OTLP JSON ExportLogsServiceRequest: ", parsed.message().ToString()),
                  true);
    }
  } else if (!message.ParseFromString(request.body)) {
    return Fail(metrics, 400, "bad_request", absl::StatusCode::kInvalidArgument,
                "body is not a protobuf ExportLogsServiceRequest", false);
  }
  ExportLogsServiceResponse response;
  if (absl::Status s = ingest.Export(message, &response); !s.ok()) {
    // Only the records limit refuses a whole request; like the other ingest endpoints, 413 (not retried).
    return Answer(413, json, EncodeRpcStatus(static_cast<int>(s.code()), s.message(), json));
  }
  std::string body;
  if (json) {
    (void)google::protobuf::util::MessageToJsonString(response, &body);
  } else {
    body = response.SerializeAsString();
  }
  return Answer(200, json, std::move(body));
}

}  // namespace detect::server
