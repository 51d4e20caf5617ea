// HttpServer: detectd's HTTP/1.1 listener (the /metrics endpoint and the ingest port), a thin owner of a
// civetweb context (docs/architecture.md says why civetweb). civetweb brings the worker pool, keep-alive,
// request-header deadlines; this wrapper adds what every detectd endpoint needs on top: exact-path
// routes with allowed methods, a body read whole under a byte limit and a time limit, and plain
// status/header/body responses. Handlers never see civetweb types.
#ifndef DETECT_SERVER_HTTP_HTTP_SERVER_H_
#define DETECT_SERVER_HTTP_HTTP_SERVER_H_

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "server/http/civetweb_tls.h"

struct mg_context;
struct mg_connection;

namespace detect::server {


// One request as a handler sees it. Valid only during the handler call.
struct HttpRequest {
  absl::string_view method;
  absl::string_view path;   // Without the query.
  absl::string_view query;  // After '?', raw; empty if none.
  std::string body;         // Whole (the server enforced the route's limit), with kBodyPadding spare capacity.
  bool tls = false;
  // The verified client certificate's subject (mTLS, HttpTlsOptions::client_ca_file); empty: none presented.
  std::string client_cert_subject;
  // Set once the body was read whole and the handler is called: a status after that is the handler's own.
  bool handled = false;
  // The value of header `name` (case-insensitive), empty if absent.
  std::function<absl::string_view(const char* name)> header;
  // Set by the route's admission check to account for the request (release a memory reservation, record
  // metrics); called once with the status sent, whatever the outcome (413 and 408 from the server included).
  std::function<void(int status)> on_done;
};

struct HttpResponse {
  int status = 200;
  std::string content_type = "text/plain; charset=utf-8";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // Extra headers (Retry-After, Allow, ...).
};

using HttpHandler = std::function<HttpResponse(HttpRequest&)>;

struct HttpRoute {
  std::string path;                  // Exact match.
  std::vector<std::string> methods;  // Others get 405 with Allow.
  size_t max_body_bytes = 0;         // Larger bodies get 413 before the handler runs; 0: no body accepted.
  // Optional, run before the body is read (its `body` is empty): a response here (401, 429, ...) is sent
  // instead, so unauthenticated or excess clients never hold a worker for a body.
  std::function<std::optional<HttpResponse>(HttpRequest&)> admit;
  HttpHandler handler;
  // Optional: rewrites the refusals made before the handler runs (admit's, and the server's own 413 and 408)
  // into the route's protocol (Firehose's JSON reply, OTLP's google.rpc.Status), so a sender always reads an
  // answer in its format. Gets the plain response (status, headers, message body); keeps status and headers.
  std::function<HttpResponse(HttpRequest&, HttpResponse plain)> shape_refusal;
};

struct HttpServerOptions {
  std::string name;  // For logs: "metrics", "ingest".
  std::string listen;  // HOST:PORT or [V6]:PORT; port 0: any free port (see HttpServer::port()).
  // Worker threads: the most requests served at once. One slow client holds one worker; the rest keep serving.
  int threads = 4;
  // Bound on receiving a request's headers, and on each wait for more body bytes. The whole body must also
  // arrive within it (checked between reads of kBodyChunk bytes; 408 beyond).
  absl::Duration request_timeout = absl::Seconds(10);
  // An idle keep-alive connection is closed after this. Zero: no keep-alive (one request per connection).
  absl::Duration keep_alive_timeout = absl::Seconds(5);
  HttpTlsOptions tls;  // tls.cert_file empty: plain HTTP.
};

// Thread-safe. Handlers run concurrently on the worker threads and must be thread-safe; they must outlive the
// server. Stop() (or the destructor) waits for running handlers; a worker stuck on a slow client notices
// within about a second.
class HttpServer {
 public:
  static constexpr size_t kBodyChunk = 16 << 10;
  static constexpr size_t kBodyPadding = 64;  // Spare capacity past a body (what simdjson needs to parse it).

  static absl::StatusOr<std::unique_ptr<HttpServer>> Start(HttpServerOptions options, std::vector<HttpRoute> routes);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  int port() const { return port_; }
  void Stop();

 private:
  struct RouteData;
  HttpServer(HttpServerOptions options, std::vector<HttpRoute> routes);
  static int Dispatch(mg_connection* conn, void* cbdata);

  const HttpServerOptions options_;
  std::vector<std::unique_ptr<RouteData>> routes_;
  mg_context* ctx_ = nullptr;
  absl::Status tls_status_;  // Of configuring TLS, written by civetweb's init_ssl callback during Start().
  int port_ = 0;
};

// The civetweb "listening_ports" entry for HOST:PORT / [V6]:PORT (with the "s" suffix when `tls`);
// InvalidArgument when malformed.
absl::StatusOr<std::string> CivetwebListenSpec(absl::string_view address, bool tls);

}  // namespace detect::server

#endif  // DETECT_SERVER_HTTP_HTTP_SERVER_H_
