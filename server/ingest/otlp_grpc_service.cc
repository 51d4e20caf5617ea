// LogsService/Export: admission (concurrent calls), evaluation through OtlpLogsIngest, metrics.
#include "server/ingest/otlp_grpc_service.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "server/status_bridge.h"

namespace detect::server {

using opentelemetry::proto::collector::logs::v1::ExportLogsServiceRequest;
using opentelemetry::proto::collector::logs::v1::ExportLogsServiceResponse;

int HttpStatusOfGrpcCode(grpc::StatusCode code) {
  switch (code) {
    case grpc::StatusCode::OK: return 200;
    case grpc::StatusCode::CANCELLED: return 499;
    case grpc::StatusCode::INVALID_ARGUMENT:
    case grpc::StatusCode::FAILED_PRECONDITION:
    case grpc::StatusCode::OUT_OF_RANGE: return 400;
    case grpc::StatusCode::DEADLINE_EXCEEDED: return 504;
    case grpc::StatusCode::NOT_FOUND: return 404;
    case grpc::StatusCode::PERMISSION_DENIED: return 403;
    case grpc::StatusCode::UNAUTHENTICATED: return 401;
    case grpc::StatusCode::RESOURCE_EXHAUSTED: return 429;
    case grpc::StatusCode::UNIMPLEMENTED: return 501;
    case grpc::StatusCode::UNAVAILABLE: return 503;
    default: return 500;
  }
}

OtlpLogsService::OtlpLogsService(Evaluator* evaluator, IngestMetrics* metrics, OtlpGrpcOptions options)
    : metrics_(metrics), options_(options), ingest_(evaluator, metrics, IngestEndpoint::kOtlpGrpc, options.logs) {}

grpc::ServerUnaryReactor* OtlpLogsService::Export(grpc::CallbackServerContext* context,
                                                  const ExportLogsServiceRequest* request,
                                                  ExportLogsServiceResponse* response) {
  const absl::Time start = absl::Now();
  grpc::Status status;
  const int running = in_flight_.fetch_add(1) + 1;
  if (options_.max_concurrent_exports > 0 && running > options_.max_concurrent_exports) {
    metrics_->RecordError(IngestEndpoint::kOtlpGrpc, "overloaded");
    status = grpc::Status(grpc::StatusCode::UNAVAILABLE,
                          absl::StrCat("more than ", options_.max_concurrent_exports,
                                       " Export calls at once; retry later"));
  } else if (context->IsCancelled()) {
    status = grpc::Status(grpc::StatusCode::CANCELLED, "call cancelled before evaluation");
  } else {
    metrics_->RecordBytes(IngestEndpoint::kOtlpGrpc, request->ByteSizeLong());
    status = ToGrpcStatus(ingest_.Export(*request, response));
  }
  in_flight_.fetch_sub(1);
  metrics_->RecordRequest(IngestEndpoint::kOtlpGrpc, HttpStatusOfGrpcCode(status.error_code()), absl::Now() - start);
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  reactor->Finish(std::move(status));
  return reactor;
}

}  // namespace detect::server
