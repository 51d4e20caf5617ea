// Daemon: a whole detectd in one object (rule store, watcher, gRPC server with health and reflection, an
// optional plaintext health-only port, the metrics endpoint), so main() and in-process integration tests start
// exactly the same thing. RunUntilTerminated() is the signal loop: SIGHUP reloads, SIGTERM/SIGINT drain.
#ifndef DETECT_SERVER_DAEMON_H_
#define DETECT_SERVER_DAEMON_H_

#include <atomic>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "absl/time/time.h"
#include "grpcpp/server.h"
#include "server/alerts/alert_metrics.h"
#include "server/alerts/alert_options.h"
#include "server/alerts/alert_pipeline.h"
#include "server/alerts/alert_feed.h"
#include "server/watch_reactor.h"
#include "server/alerts/alerting_evaluator.h"
#include "server/connection_limits.h"
#include "server/listener_watchdog.h"
#include "server/memory_trimmer.h"
#include "server/engine_evaluator.h"
#include "server/metrics.h"
#include "server/standard_metrics.h"
#include "server/http/http_server.h"
#include "server/reload_worker.h"
#include "server/ingest/ingest_metrics.h"
#include "server/ingest/ingest_server.h"
#include "server/ingest/otlp_grpc_service.h"
#include "server/rule_store.h"
#include "server/rule_watcher.h"
#include "server/service.h"

namespace detect::server {

struct DaemonOptions {
  std::string rules_path;
  std::string listen = "0.0.0.0:50051";  // Port 0: any free port (see Daemon::port()).
  std::string metrics_listen;            // Empty: no metrics endpoint.
  std::string health_listen;             // Empty: none. Plaintext, health service only (probes under mTLS).
  std::string tls_cert, tls_key;         // PEM files; both or neither.
  std::string tls_client_ca;             // PEM CA bundle: clients must present a certificate it signed (mTLS).
  // How often the TLS files are re-read; changed files (a cert-manager renewal) take effect for new
  // connections without a restart.
  absl::Duration tls_reload_interval = absl::Seconds(60);
  std::string lookup_tables_path;        // Extra lookup-table definitions, compiled with the rules.
  int max_message_bytes = 16 << 20;      // Largest request message gRPC accepts (RESOURCE_EXHAUSTED beyond).
  // A connection with no call for this long is closed (GOAWAY; clients reconnect when they next call).
  // Zero: never.
  absl::Duration max_connection_idle = absl::Minutes(10);
  // The server pings a connection silent for this long and closes it if no answer comes within the timeout,
  // so peers that vanished without closing (node lost, NAT timeout) release their descriptors. Zero: no pings.
  absl::Duration keepalive_time = absl::Minutes(1);
  absl::Duration keepalive_timeout = absl::Seconds(20);
  // Bound on the memory gRPC's transport may hold for all connections (received requests not yet read,
  // flow-control windows); beyond it gRPC shrinks windows and refuses new calls. Zero: gRPC's default
  // (unbounded).
  int64_t memory_quota_bytes = 0;
  ConnectionLimits connection;           // Per-connection HTTP/2 limits and port sharing.
  // How often the listener watchdog checks that the gRPC port still accepts connections; when it does not
  // (gRPC stops accepting for good after running out of descriptors), the daemon reports NOT_SERVING and
  // RunUntilTerminated returns 3. Zero: no checks (detectd's flag defaults to 10 s).
  absl::Duration listener_check_interval = absl::ZeroDuration();
  ServiceOptions service;
  EngineOptions engine;                  // max_event_bytes among them.
  RuleGuardOptions rule_guard;           // Empty sets and mass drops refused (--allow_empty_rules).
  absl::Duration shutdown_grace = absl::Seconds(20);
  bool watch_rules = true;
  absl::Duration watch_debounce = absl::Milliseconds(500);
  std::string port_file;                 // If set, the bound gRPC port is written there once serving.
  AlertOptions alerts;                   // enabled by default: memory store, no sinks.
  // On shutdown, how long queued alerts may still be delivered after the gRPC drain.
  absl::Duration alert_drain = absl::Seconds(5);
  IngestOptions ingest;                  // ingest.listen empty: no ingest listener.
  // OTLP logs (LogsService/Export) on the gRPC port; its records-per-request limit is
  // service.max_events_per_request.
  OtlpGrpcOptions otlp;
};

// Thread-safe.
class Daemon {
 public:
  // Loads the rules (an invalid rule set is an error: nothing serves a partial pack), then listens and
  // reports SERVING.
  static absl::StatusOr<std::unique_ptr<Daemon>> Start(DaemonOptions options);
  ~Daemon();  // Shutdown().

  int port() const { return port_; }
  int health_port() const { return health_port_; }
  int metrics_port() const { return metrics_http_ != nullptr ? metrics_http_->port() : 0; }
  int ingest_port() const { return ingest_ != nullptr ? ingest_->port() : 0; }
  grpc::Server* server() { return server_.get(); }
  RuleStore& rule_store() { return *store_; }
  Metrics& metrics() { return *metrics_; }
  DetectionService& service() { return *service_; }
  // What every transport evaluates through: the alerting decorator when alerts are on, else the engine.
  Evaluator& evaluator() { return alerting_evaluator_ != nullptr ? static_cast<Evaluator&>(*alerting_evaluator_)
                                                                 : static_cast<Evaluator&>(*evaluator_); }
  AlertPipeline* alerts() { return alerts_.get(); }  // Null with alerts off.
  AlertMetrics& alert_metrics() { return *alert_metrics_; }

  // Reloads now, on the calling thread.
  absl::StatusOr<ReloadOutcome> Reload(absl::string_view reason) { return store_->Reload(reason); }
  // Reloads on the reload thread (ReloadWorker); returns at once. SIGHUP and the watcher use this.
  void RequestReload(std::string reason) { reload_worker_->Request(std::move(reason)); }

  // Marks NOT_SERVING, stops accepting calls, lets in-flight calls and open streams finish until the grace
  // period ends, then cancels what is left. Blocks until done; later calls return at once.
  void Shutdown() ABSL_LOCKS_EXCLUDED(shutdown_mu_);
  bool shutting_down() const { return shutdown_started_.HasBeenNotified(); }
  // The process's exit status once drained: 0, or 3 when the listener watchdog found the port wedged.
  int exit_code() const { return exit_code_.load(); }

 private:
  explicit Daemon(DaemonOptions options);
  absl::Status Init();
  absl::Status StartMetricsHttp();
  absl::Status StartListenerWatchdog();

  const DaemonOptions options_;
  std::unique_ptr<Metrics> metrics_;
  std::unique_ptr<GrpcServerMetrics> grpc_metrics_;  // grpc_server_* under the conventional names.
  std::unique_ptr<RuleStore> store_;
  std::unique_ptr<EngineEvaluator> evaluator_;
  std::unique_ptr<AlertMetrics> alert_metrics_;
  std::unique_ptr<AlertFeed> alert_feed_;  // What WatchAlerts reads (outlives the pipeline that appends to it).
  std::unique_ptr<AlertPipeline> alerts_;
  std::unique_ptr<AlertingEvaluator> alerting_evaluator_;
  std::unique_ptr<WatchHub> watch_hub_;  // WatchAlerts streams; null with alerts off.
  std::unique_ptr<DetectionService> service_;
  std::unique_ptr<OtlpLogsService> otlp_service_;  // LogsService/Export; records in ingest_metrics_.
  std::unique_ptr<grpc::Server> server_;
  std::unique_ptr<grpc::Server> health_server_;
  std::unique_ptr<ReloadWorker> reload_worker_;
  std::unique_ptr<RuleWatcher> watcher_;
  std::unique_ptr<RuleWatcher> lookup_watcher_;
  std::unique_ptr<HttpServer> metrics_http_;  // /metrics and /healthz.
  std::unique_ptr<ListenerWatchdog> watchdog_;
  std::unique_ptr<MemoryTrimmer> trimmer_;  // Gives memory freed after a burst back (memory_trimmer.h).
  std::atomic<int> exit_code_{0};
  IngestMetrics ingest_metrics_;
  std::unique_ptr<IngestServer> ingest_;
  int port_ = 0;
  int health_port_ = 0;
  absl::Notification shutdown_started_;
  absl::Mutex shutdown_mu_;
  bool shut_down_ ABSL_GUARDED_BY(shutdown_mu_) = false;
};

// Blocks SIGTERM, SIGINT and SIGHUP in the calling thread and every thread it creates afterwards, so that
// RunUntilTerminated receives them with sigwait. Call first thing in main (before any thread exists).
void BlockTerminationSignals();

// Waits for signals: SIGHUP asks for a reload on the reload thread (a rejected set is logged, the old one keeps
// serving); SIGTERM or SIGINT calls daemon.Shutdown() (which cancels a running reload) and returns
// daemon.exit_code() (0, or 3 if the listener wedged), the process's exit status after the drain.
int RunUntilTerminated(Daemon& daemon);

}  // namespace detect::server

#endif  // DETECT_SERVER_DAEMON_H_
