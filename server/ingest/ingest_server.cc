// Routes, admission (authentication, the in-flight byte budget), gzip, and evaluation of ingest requests.
#include "server/ingest/ingest_server.h"

#include <fstream>
#include <sstream>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "common/json_escape.h"
#include "common/read_file.h"
#include "server/ingest/event_splitter.h"
#include "server/ingest/gzip_body.h"
#include "server/ingest/otlp_http_handler.h"
#include "server/log.h"

namespace detect::server {
namespace {

// Compares in time that depends only on the lengths.
bool SecretEquals(absl::string_view a, absl::string_view b) {
  if (a.size() != b.size()) return false;
  unsigned char diff = 0;
  for (size_t i = 0; i < a.size(); ++i) diff |= static_cast<unsigned char>(a[i] ^ b[i]);
  return diff == 0;
}

HttpResponse JsonResponse(int status, std::string body) {
  HttpResponse r;
  r.status = status;
  r.content_type = "application/json";
  r.body = std::move(body);
  return r;
}

}  // namespace

std::string QueryLogType(absl::string_view query) {
  for (absl::string_view part : absl::StrSplit(query, '&')) {
    if (!absl::ConsumePrefix(&part, "log_type=")) continue;
    std::string out;
    for (size_t i = 0; i < part.size(); ++i) {
      int hex = 0;
      if (part[i] == '%' && i + 2 < part.size() && absl::SimpleHexAtoi(part.substr(i + 1, 2), &hex)) {
        out += static_cast<char>(hex);
        i += 2;
      } else {
        out += part[i] == '+' ? ' ' : part[i];
      }
    }
    return out;
  }
  return "";
}

IngestServer::IngestServer(const IngestOptions& options, Evaluator* evaluator, IngestMetrics* metrics,
                           std::string token)
    : options_(options),
      evaluator_(evaluator),
      metrics_(metrics),
      token_(std::move(token)),
      otlp_(evaluator, metrics, IngestEndpoint::kOtlpHttp, {options.max_events_per_request}) {}

IngestServer::~IngestServer() {
  if (http_ != nullptr) http_->Stop();
}

absl::StatusOr<std::unique_ptr<IngestServer>> IngestServer::Start(const IngestOptions& options,
                                                                  Evaluator* evaluator, IngestMetrics* metrics) {
  if (!options.client_ca_file.empty() && options.tls_cert.empty()) {
    return absl::InvalidArgumentError("--ingest_client_ca needs TLS on the ingest port (--tls_cert, --tls_key)");
  }
  std::string token;
  if (!options.token_file.empty()) {
    absl::StatusOr<std::string> t = ReadSecretFile(options.token_file, "--ingest_token_file");
    if (!t.ok()) return t.status();
    token = *std::move(t);
  }
  std::string firehose_key = token;  // Firehose cannot send a bearer header; the token is its access key.
  if (!options.firehose_access_key_file.empty()) {
    absl::StatusOr<std::string> k = ReadSecretFile(options.firehose_access_key_file, "--firehose_access_key_file");
    if (!k.ok()) return k.status();
    firehose_key = *std::move(k);
  }
  std::unique_ptr<IngestServer> server(new IngestServer(options, evaluator, metrics, std::move(token)));
  server->firehose_key_ = std::move(firehose_key);
  IngestServer* s = server.get();
  std::vector<HttpRoute> routes;
  routes.push_back(s->Route("/v1/k8s-audit", IngestEndpoint::kK8sAudit,
                            [s](HttpRequest& r) { return s->K8sAudit(r); }));
  routes.push_back(s->Route("/v1/events", IngestEndpoint::kEvents, [s](HttpRequest& r) { return s->Events(r); }));
  routes.push_back(s->Route("/v1/firehose", IngestEndpoint::kFirehose, [s](HttpRequest& r) { return s->Firehose(r); }));
  routes.back().shape_refusal = &IngestServer::FirehoseRefusal;
  routes.push_back(s->Route("/v1/logs", IngestEndpoint::kOtlpHttp, [s](HttpRequest& r) { return s->OtlpLogs(r); }));
  routes.back().shape_refusal = &OtlpHttpRefusal;
  HttpServerOptions http;
  http.name = "ingest";
  http.listen = options.listen;
  http.threads = options.threads;
  http.request_timeout = options.request_timeout;
  http.tls.cert_file = options.tls_cert;
  http.tls.key_file = options.tls_key;
  http.tls.client_ca_file = options.client_ca_file;
  // With only the client CA, a connection without a certificate is refused at the handshake; with another
  // credential configured (token, Firehose key) the certificate is optional and each request is checked.
  const bool require_client_cert =
      !options.client_ca_file.empty() && s->token_.empty() && s->firehose_key_.empty();
  http.tls.require_client_cert = require_client_cert;
  absl::StatusOr<std::unique_ptr<HttpServer>> started = HttpServer::Start(std::move(http), std::move(routes));
  if (!started.ok()) return started.status();
  server->http_ = *std::move(started);
  if (!server->authenticated()) {
    Log(LogLevel::kWarning,
        "ingest listener accepts unauthenticated requests (set --ingest_token_file or --ingest_client_ca)",
        {{"listen", options.listen}});
  }
  Log(LogLevel::kInfo, "ingest listener",
      {{"listen", options.listen}, {"tls", !options.tls_cert.empty()}, {"client_ca", !options.client_ca_file.empty()},
       {"client_cert_required", require_client_cert}, {"bearer_token", !server->token_.empty()},
       {"firehose_access_key", server->firehose_authenticated()}});
  return server;
}

HttpRoute IngestServer::Route(const char* path, IngestEndpoint endpoint, HttpHandler handler) {
  HttpRoute route;
  route.path = path;
  route.methods = {"POST"};
  route.max_body_bytes = options_.max_body_bytes;
  route.admit = [this, endpoint](HttpRequest& r) { return Admit(endpoint, r); };
  route.handler = std::move(handler);
  return route;
}

HttpResponse IngestServer::Refuse(IngestEndpoint endpoint, int status, absl::string_view reason,
                                  absl::string_view message) {
  metrics_->RecordError(endpoint, reason);
  HttpResponse r;
  r.status = status;
  r.body = absl::StrCat(message, "\n");
  return r;
}

bool IngestServer::Authenticated(IngestEndpoint endpoint, HttpRequest& request) const {
  if (endpoint == IngestEndpoint::kFirehose && !firehose_key_.empty()) {
    return SecretEquals(absl::StripAsciiWhitespace(request.header("X-Amz-Firehose-Access-Key")), firehose_key_);
  }
  if (token_.empty() && options_.client_ca_file.empty()) return true;
  if (!options_.client_ca_file.empty() && !request.client_cert_subject.empty()) return true;  // Verified by TLS.
  if (token_.empty()) return false;
  absl::string_view auth = request.header("Authorization");
  return absl::ConsumePrefix(&auth, "Bearer ") && SecretEquals(absl::StripAsciiWhitespace(auth), token_);
}

std::optional<HttpResponse> IngestServer::Admit(IngestEndpoint endpoint, HttpRequest& request) {
  const absl::Time start = absl::Now();
  if (!Authenticated(endpoint, request)) {
    request.on_done = [this, endpoint, start](int status) {
      metrics_->RecordRequest(endpoint, status, absl::Now() - start);
    };
    if (endpoint == IngestEndpoint::kFirehose) {
      return Refuse(endpoint, 401, "unauthorized", "missing or wrong X-Amz-Firehose-Access-Key");
    }
    HttpResponse r = Refuse(endpoint, 401, "unauthorized",
                            options_.client_ca_file.empty() ? "missing or wrong bearer token"
                            : token_.empty()                ? "no verified client certificate"
                                                            : "no verified client certificate or bearer token");
    r.headers.emplace_back("WWW-Authenticate", "Bearer");
    return r;
  }
  // Reserve what the body may cost before reading it: its declared size (or the limit when it is chunked),
  // twice the limit's worth when gzip (the inflated copy).
  int64_t declared = 0;
  const bool has_length = absl::SimpleAtoi(request.header("Content-Length"), &declared) && declared >= 0;
  size_t cost = has_length ? std::min(static_cast<size_t>(declared), options_.max_body_bytes) : options_.max_body_bytes;
  if (absl::AsciiStrToLower(request.header("Content-Encoding")).find("gzip") != std::string::npos) cost += options_.max_body_bytes;
  if (endpoint == IngestEndpoint::kFirehose) cost += options_.max_body_bytes;  // One decompressed record.
  const size_t before = inflight_bytes_.fetch_add(cost);
  request.on_done = [this, endpoint, start, cost, &request](int status) {
    inflight_bytes_.fetch_sub(cost);
    metrics_->RecordRequest(endpoint, status, absl::Now() - start);
    if (request.handled) return;  // The handler counted its own refusal.
    if (status == 413) metrics_->RecordError(endpoint, "too_large");
    if (status == 408) metrics_->RecordError(endpoint, "timeout");
  };
  if (before > 0 && before + cost > options_.max_inflight_bytes) {
    HttpResponse r = Refuse(endpoint, 429, "overloaded", "too many bytes in flight; retry later");
    r.headers.emplace_back("Retry-After", "1");
    return r;
  }
  return std::nullopt;
}

std::optional<HttpResponse> IngestServer::DecodeBody(IngestEndpoint endpoint, HttpRequest& request) {
  metrics_->RecordBytes(endpoint, request.body.size());
  const absl::string_view encoding = absl::StripAsciiWhitespace(request.header("Content-Encoding"));
  if (encoding.empty() || absl::EqualsIgnoreCase(encoding, "identity")) return std::nullopt;
  if (!absl::EqualsIgnoreCase(encoding, "gzip")) {
    return Refuse(endpoint, 415, "bad_request", absl::StrCat("Content-Encoding '", encoding, "' is not supported (gzip is)"));
  }
  absl::StatusOr<std::string> inflated = Gunzip(request.body, options_.max_body_bytes, kJsonPadding);
  if (!inflated.ok()) {
    const bool too_large = inflated.status().code() == absl::StatusCode::kResourceExhausted;
    return Refuse(endpoint, too_large ? 413 : 400, too_large ? "too_large" : "bad_request",
                  inflated.status().message());
  }
  request.body = *std::move(inflated);
  return std::nullopt;
}

HttpResponse IngestServer::Evaluate(IngestEndpoint endpoint, const std::vector<absl::string_view>& events,
                                    absl::string_view log_type) {
  if (options_.max_events_per_request > 0 && events.size() > options_.max_events_per_request) {
    return Refuse(endpoint, 413, "too_many_events",
                  absl::StrCat("request has ", events.size(), " events; the limit is ",
                               options_.max_events_per_request));
  }
  RequestView view;
  view.omit_rule_metadata = true;
  view.events.reserve(events.size());
  for (absl::string_view e : events) view.events.push_back({"", log_type, EventView::Payload::kJson, e});
  v1::EvaluateResponse response;
  evaluator_->Evaluate(view, &response);
  size_t matches = 0, errors = 0;
  std::string match_list, error_list;
  absl::flat_hash_map<std::string, uint64_t> by_rule;
  for (int i = 0; i < response.results_size(); ++i) {
    const v1::EventResult& r = response.results(i);
    if (r.has_error() && r.error().code() != 0) {
      if (++errors <= 10) {
        absl::StrAppend(&error_list, error_list.empty() ? "" : ",", "{\"index\":", i, ",\"error\":");
        AppendJsonString(r.error().message(), &error_list);
        error_list += "}";
      }
    }
    for (const v1::Match& m : r.matches()) {
      ++matches;
      ++by_rule[m.rule_id()];
      absl::StrAppend(&match_list, match_list.empty() ? "" : ",", "{\"index\":", i, ",\"rule_id\":");
      AppendJsonString(m.rule_id(), &match_list);
      match_list += "}";
      Log(LogLevel::kDebug, "ingest match",
          {{"endpoint", IngestEndpointName(endpoint)}, {"rule_id", m.rule_id()}, {"event_index", i}});
    }
  }
  metrics_->RecordEvents(endpoint, events.size(), matches);
  metrics_->RecordRuleMatches(endpoint, by_rule);
  metrics_->RecordError(endpoint, "event", errors);
  return JsonResponse(200, absl::StrCat("{\"events\":", events.size(), ",\"matched\":", matches,
                                        ",\"event_errors\":", errors, ",\"matches\":[", match_list,
                                        "],\"errors\":[", error_list, "]}\n"));
}

HttpResponse IngestServer::K8sAudit(HttpRequest& request) {
  if (std::optional<HttpResponse> error = DecodeBody(IngestEndpoint::kK8sAudit, request)) return *error;
  std::vector<absl::string_view> events;
  if (absl::Status s = SplitAuditWebhookBody(request.body, &events); !s.ok()) {
    return Refuse(IngestEndpoint::kK8sAudit, 400, "bad_request", s.message());
  }
  return Evaluate(IngestEndpoint::kK8sAudit, events, QueryLogType(request.query));
}

HttpResponse IngestServer::Events(HttpRequest& request) {
  if (std::optional<HttpResponse> error = DecodeBody(IngestEndpoint::kEvents, request)) return *error;
  std::vector<absl::string_view> events;
  if (absl::Status s = SplitEventsBody(request.body, &events); !s.ok()) {
    return Refuse(IngestEndpoint::kEvents, 400, "bad_request", s.message());
  }
  return Evaluate(IngestEndpoint::kEvents, events, QueryLogType(request.query));
}

HttpResponse IngestServer::OtlpLogs(HttpRequest& request) {
  if (std::optional<HttpResponse> error = DecodeBody(IngestEndpoint::kOtlpHttp, request)) {
    return OtlpHttpRefusal(request, *std::move(error));
  }
  return HandleOtlpHttpLogs(otlp_, metrics_, request);
}

}  // namespace detect::server
