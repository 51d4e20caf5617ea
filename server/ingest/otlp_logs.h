// OtlpLogsIngest: what both OTLP transports (LogsService/Export on the gRPC port, POST /v1/logs on the ingest
// port) do with an ExportLogsServiceRequest: turn each log record's body into the audit event (otlp_event.h),
// evaluate them all through the daemon's Evaluator (so matches reach the alert pipeline, as StreamEvaluate's
// do), and answer with the records it could not take in partial_success.
#ifndef DETECT_SERVER_INGEST_OTLP_LOGS_H_
#define DETECT_SERVER_INGEST_OTLP_LOGS_H_

#include <cstddef>

#include "absl/status/status.h"
#include "opentelemetry/proto/collector/logs/v1/logs_service.pb.h"
#include "server/evaluator.h"
#include "server/ingest/ingest_metrics.h"

namespace detect::server {

struct OtlpLogsOptions {
  // Log records in one request; more refuses the whole request (nothing evaluated). 0: unbounded.
  size_t max_records_per_request = 10000;
};

// Thread-safe (no state of its own). The evaluator and metrics are not owned and must outlive it.
class OtlpLogsIngest {
 public:
  OtlpLogsIngest(Evaluator* evaluator, IngestMetrics* metrics, IngestEndpoint endpoint, OtlpLogsOptions options)
      : evaluator_(evaluator), metrics_(metrics), endpoint_(endpoint), options_(options) {}

  // Evaluates every record and fills `response`: partial_success counts the records rejected (a body that is
  // not an audit event, or one the evaluator refused: malformed JSON, too large) and names the first few;
  // it is left unset when every record was taken. InvalidArgument, with nothing evaluated, when the request
  // has more records than the limit. Records events, matches and per-record errors in the metrics (the
  // transport records the request itself).
  absl::Status Export(const opentelemetry::proto::collector::logs::v1::ExportLogsServiceRequest& request,
                      opentelemetry::proto::collector::logs::v1::ExportLogsServiceResponse* response) const;

  IngestEndpoint endpoint() const { return endpoint_; }

 private:
  Evaluator* const evaluator_;
  IngestMetrics* const metrics_;
  const IngestEndpoint endpoint_;
  const OtlpLogsOptions options_;
};

// Log records in `request`, across resources and scopes.
size_t CountLogRecords(const opentelemetry::proto::collector::logs::v1::ExportLogsServiceRequest& request);

}  // namespace detect::server

#endif  // DETECT_SERVER_INGEST_OTLP_LOGS_H_
