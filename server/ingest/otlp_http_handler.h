// OTLP/HTTP logs (POST /v1/logs on the ingest port), per the OTLP specification's HTTP transport: the body is
// an ExportLogsServiceRequest as binary protobuf (Content-Type application/x-protobuf) or in the OTLP JSON
// mapping (application/json: lowerCamelCase names, enums as numbers, int64 as strings or numbers); gzip bodies
// are inflated by the ingest server before this runs. Answers in the request's encoding: 200 with an
// ExportLogsServiceResponse (partial_success for rejected records); 400 with a google.rpc.Status for a body
// that does not decode; 413 past the records limit; 415 for another content type. Refusals made before the handler
// (401, 429, 413 body limit, 408, a bad gzip body) carry a google.rpc.Status too (OtlpHttpRefusal).
#ifndef DETECT_SERVER_INGEST_OTLP_HTTP_HANDLER_H_
#define DETECT_SERVER_INGEST_OTLP_HTTP_HANDLER_H_

#include "server/http/http_server.h"
#include "server/ingest/otlp_logs.h"

namespace detect::server {

// Decodes `request.body` by its Content-Type and exports it through `ingest`. Thread-safe.
HttpResponse HandleOtlpHttpLogs(const OtlpLogsIngest& ingest, IngestMetrics* metrics, HttpRequest& request);

// A google.rpc.Status {code, message} as OTLP/HTTP error bodies carry it: protobuf bytes, or JSON.
std::string EncodeRpcStatus(int code, absl::string_view message, bool json);

// `plain` (a refusal whose body is a text message) as OTLP/HTTP answers errors: the same status and headers
// (Retry-After, WWW-Authenticate), the body a google.rpc.Status in the request's encoding (JSON when its
// Content-Type is application/json, else protobuf) with the gRPC code matching the HTTP status.
HttpResponse OtlpHttpRefusal(HttpRequest& request, HttpResponse plain);

}  // namespace detect::server

#endif  // DETECT_SERVER_INGEST_OTLP_HTTP_HANDLER_H_
