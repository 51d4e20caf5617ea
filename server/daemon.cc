// Assembling and draining detectd.
#include "server/daemon.h"

#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <utility>

#include "absl/strings/str_cat.h"
#include "common/read_file.h"
#include "absl/time/clock.h"
#include "grpcpp/ext/proto_server_reflection_plugin.h"
#include "grpcpp/health_check_service_interface.h"
#include "grpcpp/resource_quota.h"
#include "grpcpp/security/server_credentials.h"
#include "grpcpp/security/tls_certificate_provider.h"
#include "grpcpp/security/tls_credentials_options.h"
#include "grpcpp/server_builder.h"
#include "server/alerts/redis_alert_feed.h"
#include "server/alerts/redis_client.h"
#include "server/log.h"
#include "server/watch_reactor.h"

namespace detect::server {
namespace {

constexpr char kServiceName[] = "detect.v1.DetectionService";

absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> Credentials(const DaemonOptions& o) {
  if (o.tls_cert.empty() && o.tls_key.empty()) {
    if (!o.tls_client_ca.empty()) return absl::InvalidArgumentError("--tls_client_ca needs --tls_cert and --tls_key");
    return grpc::InsecureServerCredentials();
  }
  if (o.tls_cert.empty() || o.tls_key.empty()) {
    return absl::InvalidArgumentError("--tls_cert and --tls_key go together");
  }
  absl::StatusOr<std::string> cert = ReadFlagFile(o.tls_cert, "--tls_cert");
  if (!cert.ok()) return cert.status();
  absl::StatusOr<std::string> key = ReadFlagFile(o.tls_key, "--tls_key");
  if (!key.ok()) return key.status();
  if (!o.tls_client_ca.empty()) {
    absl::StatusOr<std::string> ca = ReadFlagFile(o.tls_client_ca, "--tls_client_ca");
    if (!ca.ok()) return ca.status();
  }
  // The files were readable now (so a typo fails at startup); gRPC's file watcher re-reads them every
  // tls_reload_interval, so a renewed certificate serves new connections without a restart.
  const unsigned refresh = static_cast<unsigned>(std::max<int64_t>(1, absl::ToInt64Seconds(o.tls_reload_interval)));
  auto provider =
      o.tls_client_ca.empty()
          ? std::make_shared<grpc::experimental::FileWatcherCertificateProvider>(o.tls_key, o.tls_cert, refresh)
          : std::make_shared<grpc::experimental::FileWatcherCertificateProvider>(o.tls_key, o.tls_cert,
                                                                                 o.tls_client_ca, refresh);
  grpc::experimental::TlsServerCredentialsOptions tls(provider);
  tls.watch_identity_key_cert_pairs();
  if (o.tls_client_ca.empty()) {
    tls.set_cert_request_type(GRPC_SSL_DONT_REQUEST_CLIENT_CERTIFICATE);
  } else {
    tls.watch_root_certs();
    tls.set_cert_request_type(GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY);
  }
  return grpc::experimental::TlsServerCredentials(tls);
}

void SetServing(grpc::Server* server, bool serving) {
  if (server == nullptr || server->GetHealthCheckService() == nullptr) return;
  server->GetHealthCheckService()->SetServingStatus(serving);
  server->GetHealthCheckService()->SetServingStatus(kServiceName, serving);
}

absl::Status WritePortFile(const std::string& path, int port) {
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << port << "\n";
    if (!out) return absl::InvalidArgumentError(absl::StrCat("cannot write --port_file '", path, "'"));
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    return absl::InvalidArgumentError(absl::StrCat("cannot write --port_file '", path, "'"));
  }
  return absl::OkStatus();
}

// Idle and dead connections, and the transport's memory bound: see DaemonOptions.
void SetConnectionOptions(const DaemonOptions& o, grpc::ServerBuilder* builder) {
  const auto ms = [](absl::Duration d) { return static_cast<int>(absl::ToInt64Milliseconds(d)); };
  if (o.max_connection_idle > absl::ZeroDuration()) {
    builder->AddChannelArgument(GRPC_ARG_MAX_CONNECTION_IDLE_MS, ms(o.max_connection_idle));
  }
  if (o.keepalive_time > absl::ZeroDuration()) {
    builder->AddChannelArgument(GRPC_ARG_KEEPALIVE_TIME_MS, ms(o.keepalive_time));
    builder->AddChannelArgument(GRPC_ARG_KEEPALIVE_TIMEOUT_MS, ms(o.keepalive_timeout));
  }
  // Pings go on while nothing flows (a stream whose client vanished is silent), with or without calls; and
  // clients may send their own as often as every 10 s (gRPC's default, 5 minutes, makes the server close the
  // connection of a client that pings more often).
  builder->AddChannelArgument(GRPC_ARG_HTTP2_MAX_PINGS_WITHOUT_DATA, 0);
  builder->AddChannelArgument(GRPC_ARG_KEEPALIVE_PERMIT_WITHOUT_CALLS, 1);
  builder->AddChannelArgument(GRPC_ARG_HTTP2_MIN_RECV_PING_INTERVAL_WITHOUT_DATA_MS, 10000);
  if (o.memory_quota_bytes > 0) {
    grpc::ResourceQuota quota("detectd");
    quota.Resize(static_cast<size_t>(o.memory_quota_bytes));
    builder->SetResourceQuota(quota);
  }
}

}  // namespace

Daemon::Daemon(DaemonOptions options) : options_(std::move(options)) {}

Daemon::~Daemon() { Shutdown(); }

absl::StatusOr<std::unique_ptr<Daemon>> Daemon::Start(DaemonOptions options) {
  std::unique_ptr<Daemon> daemon(new Daemon(std::move(options)));
  if (absl::Status s = daemon->Init(); !s.ok()) return s;
  return daemon;
}

absl::Status Daemon::Init() {
  // gRPC stops accepting for good after one accept4() EMFILE (listener_watchdog.h): take every descriptor
  // the hard limit allows.
  Log(LogLevel::kInfo, "resource limits",
      {{"max_open_files", RaiseDescriptorLimit()}, {"memory_quota_bytes", options_.memory_quota_bytes}});
  metrics_ = std::make_unique<Metrics>();
  grpc_metrics_ = std::make_unique<GrpcServerMetrics>();
  store_ = std::make_unique<RuleStore>(
      RuleStoreOptions{options_.rules_path, options_.engine, options_.lookup_tables_path, options_.rule_guard},
      metrics_.get());
  if (absl::StatusOr<ReloadOutcome> loaded = store_->Reload("startup"); !loaded.ok()) return loaded.status();
  evaluator_ = std::make_unique<EngineEvaluator>(store_.get());
  alert_metrics_ = std::make_unique<AlertMetrics>();
  if (options_.alerts.enabled) {
    absl::StatusOr<std::unique_ptr<AlertPipeline>> pipeline =
        AlertPipeline::Create(options_.alerts, alert_metrics_.get());
    if (!pipeline.ok()) return pipeline.status();
    alerts_ = *std::move(pipeline);
    alerting_evaluator_ = std::make_unique<AlertingEvaluator>(evaluator_.get(), store_.get(), alerts_.get());
    // WatchAlerts reads the alert log: the Redis streams every replica appends to, or this process's ring.
    if (options_.alerts.store == "memory") {
      auto ring = std::make_unique<AlertRing>(options_.alerts.watch_ring);
      alerts_->SetObserver([r = ring.get()](const alert::AlertRecord& a) { r->Append(a); });
      alert_feed_ = std::move(ring);
    } else {
      absl::StatusOr<RedisAddress> redis = ParseRedisUrl(options_.alerts.store);
      if (!redis.ok()) return redis.status();
      alert_feed_ = std::make_unique<RedisAlertFeed>(*redis, options_.alerts);
    }
    WatchOptions watch;
    watch.max_watchers = options_.alerts.watch_max_watchers;
    watch.max_queued_bytes = options_.alerts.watch_max_queued_bytes;
    watch_hub_ = std::make_unique<WatchHub>(alert_feed_.get(), watch);
  }
  service_ = std::make_unique<DetectionService>(&evaluator(), metrics_.get(), options_.service);
  service_->set_watch_hub(watch_hub_.get());
  OtlpGrpcOptions otlp = options_.otlp;
  otlp.logs.max_records_per_request = static_cast<size_t>(std::max(0, options_.service.max_events_per_request));
  otlp_service_ = std::make_unique<OtlpLogsService>(&evaluator(), &ingest_metrics_, otlp);

  absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> creds = Credentials(options_);
  if (!creds.ok()) return creds.status();
  grpc::EnableDefaultHealthCheckService(true);
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  grpc::ServerBuilder builder;
  builder.AddListeningPort(options_.listen, *creds, &port_);
  builder.RegisterService(service_.get());
  builder.RegisterService(otlp_service_.get());  // OTLP logs: docs/ingest.md.
  builder.experimental().SetInterceptorCreators(grpc_metrics_->InterceptorCreators());
  builder.SetMaxReceiveMessageSize(options_.max_message_bytes);
  SetConnectionOptions(options_, &builder);
  ApplyConnectionLimits(options_.connection, &builder);
  server_ = builder.BuildAndStart();
  if (server_ == nullptr || port_ == 0) {
    const std::string why = DescribeListenFailure(options_.listen, options_.connection.allow_port_reuse);
    return absl::UnavailableError(absl::StrCat("cannot listen on --listen ", options_.listen, why.empty() ? "" : ": ", why));
  }
  if (!options_.health_listen.empty()) {
    grpc::ServerBuilder health_builder;  // Only the (default) health service: no credentials needed.
    health_builder.AddListeningPort(options_.health_listen, grpc::InsecureServerCredentials(), &health_port_);
    health_server_ = health_builder.BuildAndStart();
    if (health_server_ == nullptr || health_port_ == 0) {
      return absl::UnavailableError(absl::StrCat("cannot listen on --health_listen ", options_.health_listen));
    }
  }
  if (!options_.metrics_listen.empty()) {
    if (absl::Status s = StartMetricsHttp(); !s.ok()) return s;
  }
  reload_worker_ = std::make_unique<ReloadWorker>(
      [store = store_.get()](const std::string& reason) { (void)store->Reload(reason); });  // Logged and counted.
  if (!options_.ingest.listen.empty()) {
    // The evaluator every transport shares: ingested matches go where StreamEvaluate's go.
    // The ingest port serves TLS with the gRPC port's certificate (loaded once; --tls_reload_seconds is gRPC's).
    IngestOptions ingest_options = options_.ingest;
    ingest_options.tls_cert = options_.tls_cert;
    ingest_options.tls_key = options_.tls_key;
    absl::StatusOr<std::unique_ptr<IngestServer>> ingest =
        IngestServer::Start(ingest_options, &evaluator(), &ingest_metrics_);
    if (!ingest.ok()) return ingest.status();
    ingest_ = *std::move(ingest);
  }
  if (options_.watch_rules) {
    auto watch = [this](const std::string& path) -> std::unique_ptr<RuleWatcher> {
      absl::StatusOr<std::unique_ptr<RuleWatcher>> watcher = RuleWatcher::Start(
          path, options_.watch_debounce, [worker = reload_worker_.get()] { worker->Request("file change"); });
      if (watcher.ok()) return *std::move(watcher);
      Log(LogLevel::kWarning, "not watching for changes", {{"path", path}, {"error", watcher.status().ToString()}});
      return nullptr;
    };
    watcher_ = watch(options_.rules_path);
    if (!options_.lookup_tables_path.empty()) lookup_watcher_ = watch(options_.lookup_tables_path);
  }
  if (absl::Status s = StartListenerWatchdog(); !s.ok()) return s;
  trimmer_ = std::make_unique<MemoryTrimmer>(absl::Seconds(2), int64_t{16} << 20);
  SetServing(server_.get(), true);
  SetServing(health_server_.get(), true);
  if (!options_.port_file.empty()) {
    if (absl::Status s = WritePortFile(options_.port_file, port_); !s.ok()) return s;
  }
  Log(LogLevel::kInfo, "serving",
      {{"listen", options_.listen}, {"port", port_}, {"tls", !options_.tls_cert.empty()},
       {"mtls", !options_.tls_client_ca.empty()}, {"health_port", health_port_}, {"metrics_port", metrics_port()},
       {"ingest_port", ingest_port()}, {"ingest_authenticated", ingest_ != nullptr && ingest_->authenticated()},
       {"rules", store_->Current()->size()}, {"version", store_->Current()->version()},
       {"alerts", options_.alerts.enabled ? options_.alerts.store : "off"}});
  return absl::OkStatus();
}

absl::Status Daemon::StartMetricsHttp() {
  HttpServerOptions http;
  http.name = "metrics";
  http.listen = options_.metrics_listen;
  http.threads = 4;  // Scrapes are small; a few slow or stuck clients leave the others workers free.
  http.request_timeout = absl::Seconds(5);
  http.keep_alive_timeout = absl::ZeroDuration();  // One scrape per connection, as the old endpoint did.
  const std::vector<std::string> get = {"GET", "HEAD"};
  std::vector<HttpRoute> routes;
  routes.push_back({"/metrics", get, 0, nullptr,
                    [this, m = metrics_.get(), a = alert_metrics_.get(), g = grpc_metrics_.get()](HttpRequest&) {
                      HttpResponse r;
                      r.content_type = "text/plain; version=0.0.4; charset=utf-8";
                      r.body = m->RenderPrometheus() + a->RenderPrometheus() + g->RenderPrometheus() +
                               RenderProcessMetrics() + RenderBuildInfo();
                      if (watch_hub_ != nullptr) r.body += watch_hub_->metrics().RenderPrometheus();
                      ingest_metrics_.AppendPrometheus(&r.body);
                      return r;
                    }});
  routes.push_back({"/healthz", get, 0, nullptr, [this](HttpRequest&) {
                      HttpResponse r;
                      // 503 while draining, and once the listener watchdog found the gRPC port wedged. The body
                      // says how many rules serve (issue 12, item 9), as detectd_rules_loaded does.
                      const bool down = shutting_down() || exit_code_.load() != 0;
                      if (down) r.status = 503;
                      const std::shared_ptr<const RuleSet> rules = store_->Current();
                      r.content_type = "application/json";
                      r.body = absl::StrCat(R"({"status":")", down ? "draining" : "serving", R"(","rules":)",
                                            rules != nullptr ? rules->size() : 0, R"(,"rule_set_version":")",
                                            rules != nullptr ? rules->version() : "", "\"}\n");
                      return r;
                    }});
  absl::StatusOr<std::unique_ptr<HttpServer>> server = HttpServer::Start(std::move(http), std::move(routes));
  if (!server.ok()) return server.status();
  metrics_http_ = *std::move(server);
  return absl::OkStatus();
}

absl::Status Daemon::StartListenerWatchdog() {
  if (options_.listener_check_interval <= absl::ZeroDuration()) return absl::OkStatus();
  ListenerWatchdogOptions o;
  o.port = port_;
  o.interval = options_.listener_check_interval;
  o.accept_timeout = std::min(absl::Seconds(5), options_.listener_check_interval);
  absl::StatusOr<std::unique_ptr<ListenerWatchdog>> w = ListenerWatchdog::Start(o, [this](const std::string& why) {
    Log(LogLevel::kError, "the gRPC listener no longer accepts connections; reporting NOT_SERVING and exiting 3",
        {{"port", port_}, {"detail", why}});
    SetServing(server_.get(), false);
    SetServing(health_server_.get(), false);
    exit_code_ = 3;
    ::kill(::getpid(), SIGTERM);  // RunUntilTerminated drains, then main returns exit_code().
  });
  if (!w.ok()) return w.status();
  watchdog_ = *std::move(w);
  return absl::OkStatus();
}

void Daemon::Shutdown() {
  absl::MutexLock lock(&shutdown_mu_);
  if (shut_down_) return;
  shut_down_ = true;
  shutdown_started_.Notify();
  const absl::Time start = absl::Now();
  Log(LogLevel::kInfo, "shutting down: draining",
      {{"grace_seconds", absl::ToDoubleSeconds(options_.shutdown_grace)},
       {"open_streams", service_ != nullptr ? service_->open_streams() : 0}});
  // NOT_SERVING first (the health-only port keeps answering it during the drain), then stop accepting.
  if (server_ != nullptr && server_->GetHealthCheckService() != nullptr) {
    server_->GetHealthCheckService()->Shutdown();
  }
  if (health_server_ != nullptr && health_server_->GetHealthCheckService() != nullptr) {
    health_server_->GetHealthCheckService()->Shutdown();
  }
  watchdog_.reset();
  trimmer_.reset();
  // A reload in progress stops at its next directory, file or rule; none starts after this.
  if (store_ != nullptr) store_->CancelReloads();
  watcher_.reset();
  lookup_watcher_.reset();
  if (reload_worker_ != nullptr) reload_worker_->Stop();
  if (ingest_ != nullptr) ingest_->Stop();  // Answers the requests being evaluated, accepts no more.
  // Watch streams never end on their own: end them (UNAVAILABLE, with the id to resume from) before the drain.
  if (watch_hub_ != nullptr) watch_hub_->Shutdown();
  if (server_ != nullptr) {
    server_->Shutdown(absl::ToChronoTime(absl::Now() + options_.shutdown_grace));
    server_->Wait();
  }
  if (health_server_ != nullptr) {
    health_server_->Shutdown(std::chrono::system_clock::now());
    health_server_->Wait();
  }
  if (alerts_ != nullptr) alerts_->Shutdown(absl::Now() + options_.alert_drain);
  if (metrics_http_ != nullptr) metrics_http_->Stop();
  Log(LogLevel::kInfo, "drained", {{"seconds", absl::ToDoubleSeconds(absl::Now() - start)}});
}

void BlockTerminationSignals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
}

int RunUntilTerminated(Daemon& daemon) {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGHUP);
  for (;;) {
    int sig = 0;
    if (sigwait(&set, &sig) != 0) continue;
    if (sig == SIGHUP) {
      daemon.RequestReload("SIGHUP");  // Logged and counted by the store; a rejected set changes nothing.
      continue;
    }
    Log(LogLevel::kInfo, "termination signal", {{"signal", sig == SIGTERM ? "SIGTERM" : "SIGINT"}});
    daemon.Shutdown();
    return daemon.exit_code();
  }
}

}  // namespace detect::server
