// detectd: the detection gRPC service. `detectd --rules DIR --listen HOST:PORT`; see --help for the rest.
#include <cstdio>
#include <optional>
#include <string>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/time/time.h"
#include "server/alerts/alert_flags.h"
#include "server/daemon.h"
#include "server/ingest/ingest_auth_flags.h"
#include "server/limit_flags.h"
#include "server/log.h"
#include "version/program_help.h"

ABSL_FLAG(std::string, rules, "", "Rule directory (searched recursively for *.yml/*.yaml) or one rule file");
ABSL_FLAG(std::string, listen, "0.0.0.0:50051", "gRPC listen address HOST:PORT (port 0: any free port)");
ABSL_FLAG(std::string, metrics_listen, "0.0.0.0:9090",
          "Prometheus /metrics HTTP address HOST:PORT; empty disables it");
ABSL_FLAG(std::string, health_listen, "",
          "Extra plaintext HOST:PORT serving only grpc.health.v1 (for Kubernetes gRPC probes under mTLS)");
ABSL_FLAG(std::string, tls_cert, "", "PEM server certificate chain (enables TLS; needs --tls_key)");
ABSL_FLAG(std::string, tls_key, "", "PEM private key of --tls_cert");
ABSL_FLAG(double, tls_reload_seconds, 60,
          "Re-read --tls_cert, --tls_key and --tls_client_ca this often; renewed files serve new connections "
          "without a restart");
ABSL_FLAG(std::string, tls_client_ca, "",
          "PEM CA bundle; when set, clients must present a certificate signed by it (mTLS)");
ABSL_FLAG(std::string, lookup_tables, "",
          "Extra directory of lookup tables (AnalysisType: lookup_table YAML + data), compiled with the rules");
ABSL_FLAG(int, max_message_bytes, 16 << 20, "Largest gRPC request message, in bytes (RESOURCE_EXHAUSTED beyond)");
ABSL_FLAG(int, max_events_per_request, 10000, "Most events in one Evaluate request or stream message; 0: no limit");
ABSL_FLAG(int64_t, max_event_bytes, 1 << 20,
          "Largest single event (JSON bytes, or serialized size of a typed event); larger: a per-event error");
ABSL_FLAG(int, max_concurrent_streams, 64,
          "Most StreamEvaluate streams with a message in progress, across all clients (each holds up to "
          "--max_queued_response_bytes of responses); 0: no limit");
ABSL_FLAG(double, max_connection_idle_seconds, 600,
          "Close a client connection that had no call for this long (clients reconnect); 0: never");
ABSL_FLAG(double, keepalive_seconds, 60,
          "Ping a silent connection after this long and close it if no answer comes in "
          "--keepalive_timeout_seconds (peers that vanished); 0: no pings");
ABSL_FLAG(double, keepalive_timeout_seconds, 20, "How long a keepalive ping may go unanswered");
ABSL_FLAG(int64_t, memory_quota_bytes, 0,
          "Bound on the memory gRPC's transport holds for all connections (requests received but not yet "
          "read, flow-control windows); 0: automatic, half the container's (cgroup) memory limit, or 256 MiB "
          "without one; -1: unbounded");
ABSL_FLAG(double, shutdown_grace_seconds, 20, "On SIGTERM, how long in-flight calls and streams may finish");
ABSL_FLAG(std::string, log_format, "json", "Log format: json | text");
ABSL_FLAG(bool, watch_rules, true, "Reload when files in the rules directory change (SIGHUP always reloads)");
ABSL_FLAG(int, watch_debounce_ms, 500, "Quiet period after a rules change before reloading");
ABSL_FLAG(bool, allow_empty_rules, false,
          "Accept a rule set with no rules, or a reload that drops more than --max_rule_drop_fraction of the "
          "serving rules (refused by default: they switch detection off)");
ABSL_FLAG(double, max_rule_drop_fraction, 0.5,
          "Largest share of the serving rules a reload may remove (0.5: 100 -> 50 loads, 100 -> 49 is refused); "
          "1: no bound");
ABSL_FLAG(std::string, ingest_listen, "",
          "HTTP ingest address HOST:PORT (Kubernetes audit webhook, NDJSON; see docs/ingest.md); empty: off");
ABSL_FLAG(std::string, ingest_token_file, "",
          "File holding the bearer token every ingest request must carry; empty: unauthenticated (a warning)");
ABSL_FLAG(int, ingest_threads, 4, "Ingest requests served at once");
ABSL_FLAG(int64_t, ingest_max_body_bytes, 16 << 20,
          "Largest ingest request body, as sent and after gzip decompression (413 beyond)");
ABSL_FLAG(int, ingest_max_events_per_request, 10000, "Most events in one ingest request (413 beyond)");
ABSL_FLAG(int64_t, ingest_max_inflight_bytes, 64 << 20,
          "Bound on the body bytes of all ingest requests in progress; beyond it 429 with Retry-After");
ABSL_FLAG(double, ingest_request_timeout_seconds, 30,
          "An ingest request's headers and body must arrive within this (408 beyond)");
ABSL_FLAG(int, otlp_max_concurrent_exports, 16,
          "OTLP LogsService/Export calls evaluated at once on the gRPC port; beyond, UNAVAILABLE (exporters retry)");
ABSL_FLAG(std::string, log_level, "info", "Least severe log lines written: debug | info | warning | error");
ABSL_FLAG(std::string, port_file, "", "Write the bound gRPC port to this file once serving (for scripts)");

int main(int argc, char** argv) {
  // Before any thread exists, so that every thread inherits the mask and signals reach sigwait.
  detect::server::BlockTerminationSignals();
  constexpr char kUsage[] =
      "detectd: the detection gRPC service; evaluates Panther-style YAML rules over Kubernetes audit events.\n\n"
      "Usage: detectd --rules DIR [--listen HOST:PORT] [flags]   (dashes work too: --metrics-listen)";
  if (std::optional<int> rc = detect::version::HandleStandardFlags("detectd", kUsage, argc, argv)) return *rc;
  absl::SetProgramUsageMessage(kUsage);
  absl::ParseCommandLine(argc, argv);
  using detect::server::LogLevel;
  detect::server::LogFormat format;
  if (!detect::server::ParseLogFormat(absl::GetFlag(FLAGS_log_format), &format)) {
    std::fprintf(stderr, "detectd: --log_format must be json or text\n");
    return 2;
  }
  detect::server::SetLogFormat(format);
  const std::string level = absl::GetFlag(FLAGS_log_level);
  if (level == "debug") {
    detect::server::SetMinLogLevel(LogLevel::kDebug);
  } else if (level == "warning") {
    detect::server::SetMinLogLevel(LogLevel::kWarning);
  } else if (level == "error") {
    detect::server::SetMinLogLevel(LogLevel::kError);
  } else if (level != "info") {
    std::fprintf(stderr, "detectd: --log_level must be debug, info, warning or error\n");
    return 2;
  }
  if (absl::GetFlag(FLAGS_rules).empty()) {
    std::fprintf(stderr, "detectd: --rules is required\n");
    return 2;
  }
  detect::server::DaemonOptions o;
  o.rules_path = absl::GetFlag(FLAGS_rules);
  o.listen = absl::GetFlag(FLAGS_listen);
  o.metrics_listen = absl::GetFlag(FLAGS_metrics_listen);
  o.health_listen = absl::GetFlag(FLAGS_health_listen);
  o.tls_cert = absl::GetFlag(FLAGS_tls_cert);
  o.tls_key = absl::GetFlag(FLAGS_tls_key);
  o.tls_client_ca = absl::GetFlag(FLAGS_tls_client_ca);
  o.tls_reload_interval = absl::Seconds(absl::GetFlag(FLAGS_tls_reload_seconds));
  o.lookup_tables_path = absl::GetFlag(FLAGS_lookup_tables);
  o.max_message_bytes = absl::GetFlag(FLAGS_max_message_bytes);
  o.service.max_events_per_request = absl::GetFlag(FLAGS_max_events_per_request);
  o.service.max_concurrent_streams = absl::GetFlag(FLAGS_max_concurrent_streams);
  o.max_connection_idle = absl::Seconds(absl::GetFlag(FLAGS_max_connection_idle_seconds));
  o.keepalive_time = absl::Seconds(absl::GetFlag(FLAGS_keepalive_seconds));
  o.keepalive_timeout = absl::Seconds(absl::GetFlag(FLAGS_keepalive_timeout_seconds));
  o.memory_quota_bytes = absl::GetFlag(FLAGS_memory_quota_bytes);
  o.engine.max_event_bytes = static_cast<size_t>(absl::GetFlag(FLAGS_max_event_bytes));
  o.shutdown_grace = absl::Seconds(absl::GetFlag(FLAGS_shutdown_grace_seconds));
  o.watch_rules = absl::GetFlag(FLAGS_watch_rules);
  o.watch_debounce = absl::Milliseconds(absl::GetFlag(FLAGS_watch_debounce_ms));
  o.port_file = absl::GetFlag(FLAGS_port_file);
  o.rule_guard.allow_empty_rules = absl::GetFlag(FLAGS_allow_empty_rules);
  o.rule_guard.max_rule_drop_fraction = absl::GetFlag(FLAGS_max_rule_drop_fraction);
  absl::StatusOr<detect::server::AlertOptions> alerts = detect::server::AlertOptionsFromFlags();
  if (!alerts.ok()) {
    std::fprintf(stderr, "detectd: %s\n", std::string(alerts.status().message()).c_str());
    return 2;
  }
  o.alerts = *std::move(alerts);
  detect::server::ApplyLimitFlags(&o);
  o.ingest.listen = absl::GetFlag(FLAGS_ingest_listen);
  o.ingest.token_file = absl::GetFlag(FLAGS_ingest_token_file);
  o.ingest.threads = absl::GetFlag(FLAGS_ingest_threads);
  o.ingest.max_body_bytes = static_cast<size_t>(absl::GetFlag(FLAGS_ingest_max_body_bytes));
  o.ingest.max_events_per_request = static_cast<size_t>(absl::GetFlag(FLAGS_ingest_max_events_per_request));
  o.ingest.max_inflight_bytes = static_cast<size_t>(absl::GetFlag(FLAGS_ingest_max_inflight_bytes));
  o.ingest.request_timeout = absl::Seconds(absl::GetFlag(FLAGS_ingest_request_timeout_seconds));
  detect::server::ApplyIngestAuthFlags(&o.ingest);
  o.otlp.max_concurrent_exports = absl::GetFlag(FLAGS_otlp_max_concurrent_exports);

  absl::StatusOr<std::unique_ptr<detect::server::Daemon>> daemon = detect::server::Daemon::Start(std::move(o));
  if (!daemon.ok()) {
    detect::server::Log(LogLevel::kError, "startup failed", {{"error", daemon.status().ToString()}});
    return 1;
  }
  return detect::server::RunUntilTerminated(**daemon);
}
