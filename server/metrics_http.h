// A minimal HTTP/1.1 responder for Prometheus scrapes: GET /metrics returns the text exposition, anything
// else 404. One background thread serves one connection at a time (scrapes are rare and small); a client
// that sends nothing is dropped after a short timeout, so it cannot stall the endpoint for long.
#ifndef DETECT_SERVER_METRICS_HTTP_H_
#define DETECT_SERVER_METRICS_HTTP_H_

#include <functional>
#include <memory>
#include <string>
#include <thread>

#include "absl/status/statusor.h"

namespace detect::server {

// Thread-compatible: Start and Stop from one thread. The body callback runs on the server's thread.
class MetricsHttpServer {
 public:
  using BodyFn = std::function<std::string()>;

  // Binds HOST:PORT (port 0: any free port) and starts serving.
  static absl::StatusOr<std::unique_ptr<MetricsHttpServer>> Start(const std::string& address, BodyFn body);
  ~MetricsHttpServer();  // Stops.
  MetricsHttpServer(const MetricsHttpServer&) = delete;
  MetricsHttpServer& operator=(const MetricsHttpServer&) = delete;

  int port() const { return port_; }
  void Stop();

 private:
  MetricsHttpServer(int listen_fd, int wake_fd, int port, BodyFn body);
  void Run();
  void Serve(int fd);

  int listen_fd_;
  int wake_fd_;  // eventfd: written by Stop to end Run.
  int port_;
  BodyFn body_;
  std::thread thread_;
};

// Splits "host:port" / "[v6]:port"; InvalidArgument when malformed.
absl::Status SplitHostPort(const std::string& address, std::string* host, int* port);

}  // namespace detect::server

#endif  // DETECT_SERVER_METRICS_HTTP_H_
