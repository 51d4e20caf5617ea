// Metrics under the names stock dashboards already chart, beside detectd's own (server/metrics.h):
//   - process_cpu_seconds_total, process_resident_memory_bytes, process_virtual_memory_bytes,
//     process_open_fds, process_max_fds, process_start_time_seconds (Prometheus client conventions, from /proc);
//   - detectd_build_info{version, git, grpc_version} 1;
//   - grpc_server_started_total, grpc_server_handled_total{grpc_code}, grpc_server_handling_seconds
//     (histogram), each labelled grpc_type, grpc_service, grpc_method as go-grpc-prometheus names them,
//     recorded by a gRPC server interceptor on every service of the server (detect.v1, health, reflection).
#ifndef DETECT_SERVER_STANDARD_METRICS_H_
#define DETECT_SERVER_STANDARD_METRICS_H_

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <tuple>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"
#include "grpcpp/support/server_interceptor.h"
#include "grpcpp/support/status.h"

namespace detect::server {

// Counts of gRPC calls by method and outcome. Thread-safe (one short lock per call start and end).
class GrpcServerMetrics {
 public:
  static constexpr std::array<double, 14> kBuckets = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                                      0.1,    0.25,  0.5,    1,     2.5,   5,    10};
  // `full_method` is "/package.Service/Method"; `type` one of unary, client_stream, server_stream, bidi_stream.
  void Started(const std::string& full_method, const char* type) ABSL_LOCKS_EXCLUDED(mu_);
  void Handled(const std::string& full_method, const char* type, grpc::StatusCode code, double seconds)
      ABSL_LOCKS_EXCLUDED(mu_);
  std::string RenderPrometheus() const ABSL_LOCKS_EXCLUDED(mu_);

  // Interceptor factories recording into this object, for ServerBuilder::experimental().SetInterceptorCreators.
  std::vector<std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>> InterceptorCreators();

 private:
  struct PerMethod {
    uint64_t started = 0;
    std::array<uint64_t, 17> handled{};  // By grpc::StatusCode.
    std::array<uint64_t, kBuckets.size() + 1> buckets{};  // Last: +Inf.
    uint64_t count = 0;
    double sum = 0;
  };
  using Key = std::tuple<std::string, std::string, std::string>;  // type, service, method

  static Key MakeKey(const std::string& full_method, const char* type);

  mutable absl::Mutex mu_;
  absl::flat_hash_map<Key, PerMethod> methods_ ABSL_GUARDED_BY(mu_);
};

// The process_* metrics of this process, read from /proc now; "" where /proc is unavailable.
std::string RenderProcessMetrics();
// detectd_build_info{version="0.1.0",git="...",grpc_version="1.51.1"} 1.
std::string RenderBuildInfo();

}  // namespace detect::server

#endif  // DETECT_SERVER_STANDARD_METRICS_H_
