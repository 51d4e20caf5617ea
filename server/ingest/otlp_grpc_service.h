// OtlpLogsService: opentelemetry.proto.collector.logs.v1.LogsService/Export on detectd's gRPC port (same
// listener, TLS and message-size limit as detect.v1), so an OpenTelemetry Collector's `otlp` exporter, or any
// OTLP/gRPC log exporter, can send audit events. Callback API; each call is evaluated inline on the default
// reactor (bounded by the records-per-request limit), through OtlpLogsIngest.
#ifndef DETECT_SERVER_INGEST_OTLP_GRPC_SERVICE_H_
#define DETECT_SERVER_INGEST_OTLP_GRPC_SERVICE_H_

#include <atomic>

#include "opentelemetry/proto/collector/logs/v1/logs_service.grpc.pb.h"
#include "server/ingest/otlp_logs.h"

namespace detect::server {

struct OtlpGrpcOptions {
  OtlpLogsOptions logs;  // Records per request (INVALID_ARGUMENT beyond: the exporter drops, never retries).
  // Export calls being evaluated at once; one more is answered UNAVAILABLE (OTLP exporters retry it with
  // backoff) before anything is evaluated. 0: unbounded.
  int max_concurrent_exports = 16;
};

// Thread-safe. The evaluator and metrics are not owned and must outlive the service and every call on it.
class OtlpLogsService final
    : public opentelemetry::proto::collector::logs::v1::LogsService::CallbackService {
 public:
  OtlpLogsService(Evaluator* evaluator, IngestMetrics* metrics, OtlpGrpcOptions options);

  grpc::ServerUnaryReactor* Export(
      grpc::CallbackServerContext* context,
      const opentelemetry::proto::collector::logs::v1::ExportLogsServiceRequest* request,
      opentelemetry::proto::collector::logs::v1::ExportLogsServiceResponse* response) override;

 private:
  IngestMetrics* const metrics_;
  const OtlpGrpcOptions options_;
  const OtlpLogsIngest ingest_;
  std::atomic<int> in_flight_{0};
};

// The HTTP status a gRPC code corresponds to, for the per-endpoint request metric (as grpc-gateway maps them).
int HttpStatusOfGrpcCode(grpc::StatusCode code);

}  // namespace detect::server

#endif  // DETECT_SERVER_INGEST_OTLP_GRPC_SERVICE_H_
