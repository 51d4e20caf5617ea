// civetweb context setup, routing by exact path, bounded body reads, and response writing.
#include "server/http/http_server.h"

#include <civetweb.h>

#include <mutex>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"
#include "server/log.h"

namespace detect::server {

struct HttpServer::RouteData {
  HttpRoute route;
  const HttpServer* server;
};

namespace {

void InitLibraryOnce() {
  static std::once_flag once;
  std::call_once(once, [] { mg_init_library(0); });
}

void Send(mg_connection* conn, const HttpResponse& r, bool close) {
  std::string head = absl::StrCat("HTTP/1.1 ", r.status, " ", mg_get_response_code_text(conn, r.status),
                                  "\r\nContent-Type: ", r.content_type, "\r\nContent-Length: ", r.body.size(),
                                  "\r\n");
  for (const auto& [name, value] : r.headers) absl::StrAppend(&head, name, ": ", value, "\r\n");
  if (close) {
    mg_disable_connection_keep_alive(conn);  // civetweb then neither waits for nor reads another request.
    head += "Connection: close\r\n";
  }
  head += "\r\n";
  mg_write(conn, head.data(), head.size());
  if (absl::string_view(mg_get_request_info(conn)->request_method) != "HEAD" && !r.body.empty()) {
    mg_write(conn, r.body.data(), r.body.size());
  }
}

HttpResponse Error(int status, absl::string_view message) {
  HttpResponse r;
  r.status = status;
  r.body = absl::StrCat(message, "\n");
  return r;
}

// Reads the whole body under the route's byte limit and the request deadline; an error response when either
// is exceeded or the client went away.
bool ReadBody(mg_connection* conn, const mg_request_info* info, size_t max_bytes, absl::Time deadline,
              std::string* body, HttpResponse* error) {
  if (info->content_length > 0 && static_cast<unsigned long long>(info->content_length) > max_bytes) {
    *error = Error(413, absl::StrCat("request body of ", info->content_length, " bytes is over the limit of ",
                                     max_bytes, " bytes"));
    return false;
  }
  if (info->content_length > 0) {
    body->reserve(static_cast<size_t>(info->content_length) + HttpServer::kBodyPadding);
  }
  char buf[HttpServer::kBodyChunk];
  for (;;) {
    if (absl::Now() > deadline) {
      *error = Error(408, "request body not received within the request timeout");
      return false;
    }
    const int n = mg_read(conn, buf, sizeof(buf));
    if (n == 0) {
      // civetweb also ends a read that waited request_timeout for nothing with 0: a short body timed out.
      if (info->content_length > 0 && body->size() < static_cast<size_t>(info->content_length)) {
        *error = Error(408, absl::StrCat("request body not received within the request timeout (", body->size(),
                                         " of ", info->content_length, " bytes)"));
        return false;
      }
      if (body->capacity() < body->size() + HttpServer::kBodyPadding) {
        body->reserve(body->size() + HttpServer::kBodyPadding);
      }
      return true;
    }
    if (n < 0) {
      *error = Error(400, "request body ended early or could not be read");
      return false;
    }
    if (body->size() + static_cast<size_t>(n) > max_bytes) {
      *error = Error(413, absl::StrCat("request body is over the limit of ", max_bytes, " bytes"));
      return false;
    }
    body->append(buf, static_cast<size_t>(n));
  }
}

int LogMessage(const mg_connection*, const char* message) {
  Log(LogLevel::kDebug, "http server", {{"message", message}});
  return 1;  // Handled: civetweb writes no log file.
}

}  // namespace

absl::StatusOr<std::string> CivetwebListenSpec(absl::string_view address, bool tls) {
  const size_t colon = address.rfind(':');
  int port = 0;
  if (colon == absl::string_view::npos || !absl::SimpleAtoi(address.substr(colon + 1), &port) || port < 0 ||
      port > 65535) {
    return absl::InvalidArgumentError(absl::StrCat("bad address '", address, "': want HOST:PORT"));
  }
  absl::string_view host = address.substr(0, colon);
  const bool v6 = absl::StartsWith(host, "[");
  if (v6 != absl::EndsWith(host, "]") || (!v6 && host.find(':') != absl::string_view::npos)) {
    return absl::InvalidArgumentError(absl::StrCat("bad address '", address, "': IPv6 hosts go in brackets"));
  }
  std::string spec = host.empty() ? std::to_string(port) : absl::StrCat(host, ":", port);
  if (tls) spec += "s";
  return spec;
}

HttpServer::HttpServer(HttpServerOptions options, std::vector<HttpRoute> routes) : options_(std::move(options)) {
  for (HttpRoute& r : routes) routes_.push_back(std::make_unique<RouteData>(RouteData{std::move(r), this}));
}

HttpServer::~HttpServer() { Stop(); }

absl::StatusOr<std::unique_ptr<HttpServer>> HttpServer::Start(HttpServerOptions options,
                                                              std::vector<HttpRoute> routes) {
  InitLibraryOnce();
  const bool tls = !options.tls.cert_file.empty();
  if (tls) {
    if (absl::Status s = PrepareCivetwebOpenSsl(); !s.ok()) return s;
  }
  absl::StatusOr<std::string> spec = CivetwebListenSpec(options.listen, tls);
  if (!spec.ok()) return spec.status();
  std::unique_ptr<HttpServer> server(new HttpServer(std::move(options), std::move(routes)));
  const HttpServerOptions& o = server->options_;
  const std::string threads = std::to_string(o.threads);
  const std::string request_ms = std::to_string(absl::ToInt64Milliseconds(o.request_timeout));
  const std::string keep_alive_ms = std::to_string(absl::ToInt64Milliseconds(o.keep_alive_timeout));
  std::vector<const char*> opts = {"listening_ports", spec->c_str(), "num_threads", threads.c_str(),
                                   "request_timeout_ms", request_ms.c_str(), "keep_alive_timeout_ms",
                                   keep_alive_ms.c_str(), "enable_keep_alive",
                                   o.keep_alive_timeout > absl::ZeroDuration() ? "yes" : "no", "linger_timeout_ms", "0",
                                   "max_request_size", "16384",
                                   // Responses go out as two writes (head, body): without TCP_NODELAY the body
                                   // waits for the client's delayed ACK of the head, 40 ms per request on Linux.
                                   "tcp_nodelay", "1"};
  opts.push_back(nullptr);
  mg_callbacks callbacks{};
  callbacks.log_message = LogMessage;
  if (tls) {
    // civetweb hands over the SSL_CTX before it would load a certificate itself; 1: configured, -1: fail.
    callbacks.init_ssl = [](void* ssl_ctx, void* user_data) {
      HttpServer* self = static_cast<HttpServer*>(user_data);
      self->tls_status_ = ConfigureSslContext(ssl_ctx, self->options_.tls);
      return self->tls_status_.ok() ? 1 : -1;
    };
  }
  mg_init_data init{};
  init.callbacks = &callbacks;
  init.user_data = server.get();
  init.configuration_options = opts.data();
  char error_text[256] = {};
  mg_error_data error{};
  error.text = error_text;
  error.text_buffer_size = sizeof(error_text);
  server->ctx_ = mg_start2(&init, &error);
  if (server->ctx_ == nullptr) {
    if (!server->tls_status_.ok()) return server->tls_status_;
    return absl::UnavailableError(
        absl::StrCat("cannot serve ", server->options_.name, " on ", o.listen, ": ", error_text));
  }
  mg_server_port ports[4] = {};
  if (mg_get_server_ports(server->ctx_, 4, ports) < 1 || ports[0].port <= 0) {
    return absl::UnavailableError(absl::StrCat("no port bound for ", o.listen));
  }
  server->port_ = ports[0].port;
  for (const std::unique_ptr<RouteData>& r : server->routes_) {
    mg_set_request_handler(server->ctx_, r->route.path.c_str(), &HttpServer::Dispatch, r.get());
  }
  return server;
}

void HttpServer::Stop() {
  if (ctx_ == nullptr) return;
  mg_stop(ctx_);  // Joins the workers; each notices the stop flag within its next poll.
  ctx_ = nullptr;
}

int HttpServer::Dispatch(mg_connection* conn, void* cbdata) {
  const RouteData* data = static_cast<const RouteData*>(cbdata);
  const HttpRoute& route = data->route;
  const mg_request_info* info = mg_get_request_info(conn);
  const absl::Time deadline = absl::Now() + data->server->options_.request_timeout;
  const absl::string_view path = info->local_uri != nullptr ? info->local_uri : "";
  if (path != route.path) {
    Send(conn, Error(404, "not found"), false);
    return 404;
  }
  const absl::string_view method = info->request_method;
  bool allowed = false;
  for (const std::string& m : route.methods) allowed |= m == method;
  if (!allowed) {
    HttpResponse r = Error(405, "method not allowed");
    r.headers.emplace_back("Allow", absl::StrJoin(route.methods, ", "));
    Send(conn, r, false);
    return 405;
  }
  HttpRequest request;
  request.method = method;
  request.path = path;
  request.query = info->query_string != nullptr ? info->query_string : "";
  request.tls = info->is_ssl != 0;
  if (request.tls && !data->server->options_.tls.client_ca_file.empty() && info->client_cert != nullptr &&
      info->client_cert->subject != nullptr) {
    request.client_cert_subject = info->client_cert->subject;  // The handshake verified it against the CA.
  }
  request.header = [conn](const char* name) -> absl::string_view {
    const char* v = mg_get_header(conn, name);
    return v != nullptr ? v : "";
  };
  struct Done {
    HttpRequest& r;
    int status = 500;
    ~Done() {
      if (r.on_done) r.on_done(status);
    }
  } done{request};
  if (route.admit) {
    if (std::optional<HttpResponse> refused = route.admit(request)) {
      if (route.shape_refusal) refused = route.shape_refusal(request, *std::move(refused));
      Send(conn, *refused, true);
      return done.status = refused->status;
    }
  }
  HttpResponse error;
  if (!ReadBody(conn, info, route.max_body_bytes, deadline, &request.body, &error)) {
    if (route.shape_refusal) error = route.shape_refusal(request, std::move(error));
    Send(conn, error, true);  // The rest of the body is not read: the connection cannot be reused.
    return done.status = error.status;
  }
  request.handled = true;
  const HttpResponse response = route.handler(request);
  Send(conn, response, false);
  return done.status = response.status;
}

}  // namespace detect::server
