// IngestServer: detectd's HTTP ingest listener (--ingest_listen). Each endpoint decodes its senders' format
// into events and hands them to the daemon's Evaluator, the same one StreamEvaluate uses (and through it to
// the alert pipeline): POST /v1/k8s-audit (the Kubernetes API server's audit webhook: an audit.k8s.io/v1
// EventList or Event), POST /v1/events (NDJSON or a JSON array; ?log_type=), POST /v1/firehose (the Amazon
// Data Firehose HTTP endpoint contract, for EKS audit logs via CloudWatch Logs) and POST /v1/logs (OTLP/HTTP
// logs: otlp_http_handler.h). A 2xx answer means every
// event was evaluated and its matches handed over; docs/ingest.md has the contract per sender.
#ifndef DETECT_SERVER_INGEST_INGEST_SERVER_H_
#define DETECT_SERVER_INGEST_INGEST_SERVER_H_

#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "server/evaluator.h"
#include "server/http/http_server.h"
#include "server/ingest/ingest_metrics.h"
#include "server/ingest/otlp_logs.h"

namespace detect::server {

struct IngestOptions {
  std::string listen;  // HOST:PORT; empty: no ingest listener.
  int threads = 4;     // Requests served at once.
  // Largest body, as sent and after gzip decompression (413 beyond). 10,000 EKS audit events are ~11 MB.
  size_t max_body_bytes = 16 << 20;
  size_t max_events_per_request = 10000;  // 413 beyond.
  // Bound on the body bytes of all requests being received or evaluated (declared sizes; gzip bodies count
  // their limit twice): a request that would pass it gets 429 with Retry-After before its body is read.
  size_t max_inflight_bytes = 64 << 20;
  absl::Duration request_timeout = absl::Seconds(30);  // Headers and body must arrive within it (408).
  std::string token_file;  // Bearer token every request must carry (Authorization: Bearer ...). Empty: none.
  // /v1/firehose: the access key set on the Firehose HTTP endpoint destination, checked against the
  // X-Amz-Firehose-Access-Key header. Empty: the bearer token's value is the access key (if any).
  std::string firehose_access_key_file;
  std::string firehose_source_label;  // p_source_label of Firehose events; empty: from the log group.
  std::string firehose_log_type;      // p_log_type of Firehose events; empty: Amazon.EKS.Audit for EKS groups.
  // TLS: the gRPC port's certificate (DaemonOptions::tls_cert / tls_key; empty: plain HTTP), and the CA that
  // verifies client certificates (mTLS: the API server's webhook kubeconfig certificate). A verified client
  // certificate authenticates /v1/k8s-audit and /v1/events like the bearer token.
  std::string tls_cert, tls_key;
  std::string client_ca_file;
};

// Thread-safe. The evaluator and metrics are not owned and must outlive the server.
class IngestServer {
 public:
  static absl::StatusOr<std::unique_ptr<IngestServer>> Start(const IngestOptions& options, Evaluator* evaluator,
                                                             IngestMetrics* metrics);
  ~IngestServer();

  int port() const { return http_->port(); }
  bool authenticated() const { return !token_.empty() || !options_.client_ca_file.empty(); }
  bool firehose_authenticated() const { return !firehose_key_.empty(); }
  void Stop() { http_->Stop(); }  // Waits for requests being handled.

 private:
  struct Batch;
  IngestServer(const IngestOptions& options, Evaluator* evaluator, IngestMetrics* metrics, std::string token);
  // Whether the request carries the credential its endpoint needs (constant-time comparisons).
  bool Authenticated(IngestEndpoint endpoint, HttpRequest& request) const;
  HttpRoute Route(const char* path, IngestEndpoint endpoint, HttpHandler handler);
  std::optional<HttpResponse> Admit(IngestEndpoint endpoint, HttpRequest& request);
  // Decompresses the body if its Content-Encoding says gzip; an error response if it cannot.
  std::optional<HttpResponse> DecodeBody(IngestEndpoint endpoint, HttpRequest& request);
  // Evaluates `events` (JSON texts) and fills the batch's counts and the response body.
  HttpResponse Evaluate(IngestEndpoint endpoint, const std::vector<absl::string_view>& events,
                        absl::string_view log_type);
  HttpResponse K8sAudit(HttpRequest& request);
  HttpResponse Events(HttpRequest& request);
  // /v1/firehose (firehose_handler.cc): refusals in Firehose's reply format, the handler, a reply.
  static HttpResponse FirehoseRefusal(HttpRequest& request, HttpResponse plain);
  HttpResponse Firehose(HttpRequest& request);
  static HttpResponse FirehoseReply(absl::string_view request_id, int status, absl::string_view error);
  HttpResponse OtlpLogs(HttpRequest& request);
  HttpResponse Refuse(IngestEndpoint endpoint, int status, absl::string_view reason, absl::string_view message);

  const IngestOptions options_;
  Evaluator* const evaluator_;
  IngestMetrics* const metrics_;
  const std::string token_;
  std::string firehose_key_;  // Set once in Start().
  std::atomic<size_t> inflight_bytes_{0};
  const OtlpLogsIngest otlp_;
  std::unique_ptr<HttpServer> http_;
};

// The log_type query parameter of `query` (URL-decoded), empty if absent.
std::string QueryLogType(absl::string_view query);

}  // namespace detect::server

#endif  // DETECT_SERVER_INGEST_INGEST_SERVER_H_
