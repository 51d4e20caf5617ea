// Process, build and gRPC-server metrics with the conventional names (see standard_metrics.h).
#include "server/standard_metrics.h"

#include <dirent.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "grpcpp/grpcpp.h"
#include "version/version.h"

namespace detect::server {
namespace {

const char* CodeName(int code) {
  static constexpr const char* kNames[] = {"OK",
                                           "Canceled",
                                           "Unknown",
                                           "InvalidArgument",
                                           "DeadlineExceeded",
                                           "NotFound",
                                           "AlreadyExists",
                                           "PermissionDenied",
                                           "ResourceExhausted",
                                           "FailedPrecondition",
                                           "Aborted",
                                           "OutOfRange",
                                           "Unimplemented",
                                           "Internal",
                                           "Unavailable",
                                           "DataLoss",
                                           "Unauthenticated"};
  return code >= 0 && code < 17 ? kNames[code] : "Unknown";
}

const char* TypeName(grpc::experimental::ServerRpcInfo::Type type) {
  using Type = grpc::experimental::ServerRpcInfo::Type;
  switch (type) {
    case Type::UNARY: return "unary";
    case Type::CLIENT_STREAMING: return "client_stream";
    case Type::SERVER_STREAMING: return "server_stream";
    case Type::BIDI_STREAMING: return "bidi_stream";
  }
  return "unknown";
}

// Records one call: started when created (the server made the call object), handled when the status is sent.
class MetricsInterceptor : public grpc::experimental::Interceptor {
 public:
  MetricsInterceptor(GrpcServerMetrics* metrics, grpc::experimental::ServerRpcInfo* info)
      : metrics_(metrics), method_(info->method() != nullptr ? info->method() : ""), type_(TypeName(info->type())),
        start_(std::chrono::steady_clock::now()) {
    metrics_->Started(method_, type_);
  }

  void Intercept(grpc::experimental::InterceptorBatchMethods* methods) override {
    if (methods->QueryInterceptionHookPoint(grpc::experimental::InterceptionHookPoints::PRE_SEND_STATUS)) {
      const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
      metrics_->Handled(method_, type_, methods->GetSendStatus().error_code(), seconds);
      handled_ = true;
    }
    methods->Proceed();
  }

  ~MetricsInterceptor() override {
    if (!handled_) {  // Ended without sending a status: cancelled by the client or the deadline.
      const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
      metrics_->Handled(method_, type_, grpc::StatusCode::CANCELLED, seconds);
    }
  }

 private:
  GrpcServerMetrics* const metrics_;
  const std::string method_;
  const char* const type_;
  const std::chrono::steady_clock::time_point start_;
  bool handled_ = false;
};

class MetricsInterceptorFactory : public grpc::experimental::ServerInterceptorFactoryInterface {
 public:
  explicit MetricsInterceptorFactory(GrpcServerMetrics* metrics) : metrics_(metrics) {}
  grpc::experimental::Interceptor* CreateServerInterceptor(grpc::experimental::ServerRpcInfo* info) override {
    return new MetricsInterceptor(metrics_, info);
  }

 private:
  GrpcServerMetrics* const metrics_;
};

std::string Labels(const std::tuple<std::string, std::string, std::string>& key) {
  return absl::StrCat("grpc_type=\"", std::get<0>(key), "\",grpc_service=\"", std::get<1>(key),
                      "\",grpc_method=\"", std::get<2>(key), "\"");
}

std::string ReadFile(const char* path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace

GrpcServerMetrics::Key GrpcServerMetrics::MakeKey(const std::string& full_method, const char* type) {
  absl::string_view m = full_method;
  if (!m.empty() && m[0] == '/') m.remove_prefix(1);
  const size_t slash = m.find('/');
  const std::string service(slash == absl::string_view::npos ? "" : m.substr(0, slash));
  const std::string method(slash == absl::string_view::npos ? m : m.substr(slash + 1));
  return {type, service, method};
}

void GrpcServerMetrics::Started(const std::string& full_method, const char* type) {
  Key key = MakeKey(full_method, type);
  absl::MutexLock lock(&mu_);
  ++methods_[key].started;
}

void GrpcServerMetrics::Handled(const std::string& full_method, const char* type, grpc::StatusCode code,
                                double seconds) {
  Key key = MakeKey(full_method, type);
  absl::MutexLock lock(&mu_);
  PerMethod& m = methods_[key];
  const int c = static_cast<int>(code);
  ++m.handled[c >= 0 && c < 17 ? c : 2];
  const size_t bucket = std::lower_bound(kBuckets.begin(), kBuckets.end(), seconds) - kBuckets.begin();
  ++m.buckets[bucket];
  ++m.count;
  m.sum += seconds;
}

std::string GrpcServerMetrics::RenderPrometheus() const {
  std::vector<std::pair<Key, PerMethod>> rows;
  {
    absl::MutexLock lock(&mu_);
    rows.assign(methods_.begin(), methods_.end());
  }
  std::sort(rows.begin(), rows.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  std::string out =
      "# HELP grpc_server_started_total Total number of RPCs started on the server.\n"
      "# TYPE grpc_server_started_total counter\n";
  for (const auto& [key, m] : rows) absl::StrAppend(&out, "grpc_server_started_total{", Labels(key), "} ", m.started, "\n");
  out +=
      "# HELP grpc_server_handled_total Total number of RPCs completed on the server, regardless of success or "
      "failure.\n# TYPE grpc_server_handled_total counter\n";
  for (const auto& [key, m] : rows) {
    for (int c = 0; c < 17; ++c) {
      if (m.handled[c] == 0 && c != 0) continue;
      absl::StrAppend(&out, "grpc_server_handled_total{", Labels(key), ",grpc_code=\"", CodeName(c), "\"} ",
                      m.handled[c], "\n");
    }
  }
  out +=
      "# HELP grpc_server_handling_seconds Histogram of response latency (seconds) of gRPC that had been "
      "application-level handled by the server.\n# TYPE grpc_server_handling_seconds histogram\n";
  for (const auto& [key, m] : rows) {
    uint64_t cumulative = 0;
    for (size_t i = 0; i < m.buckets.size(); ++i) {
      cumulative += m.buckets[i];
      absl::StrAppend(&out, "grpc_server_handling_seconds_bucket{", Labels(key), ",le=\"",
                      i < kBuckets.size() ? absl::StrCat(kBuckets[i]) : "+Inf", "\"} ", cumulative, "\n");
    }
    absl::StrAppend(&out, "grpc_server_handling_seconds_sum{", Labels(key), "} ", m.sum, "\n",
                    "grpc_server_handling_seconds_count{", Labels(key), "} ", m.count, "\n");
  }
  return out;
}

std::vector<std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>>
GrpcServerMetrics::InterceptorCreators() {
  std::vector<std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>> out;
  out.push_back(std::make_unique<MetricsInterceptorFactory>(this));
  return out;
}

std::string RenderProcessMetrics() {
  // /proc/self/stat: fields after the parenthesized command; utime (14), stime (15), starttime (22), vsize
  // (23), rss (24), counting from 1.
  const std::string stat = ReadFile("/proc/self/stat");
  const size_t close = stat.rfind(')');
  if (close == std::string::npos) return "";
  const std::vector<std::string> f = absl::StrSplit(stat.substr(close + 2), ' ');
  if (f.size() < 22) return "";
  const double ticks = static_cast<double>(::sysconf(_SC_CLK_TCK));
  const double page = static_cast<double>(::sysconf(_SC_PAGESIZE));
  auto field = [&f](int n) { return std::stod(f[n - 3]); };  // f[0] is field 3.
  double boot_time = 0;
  for (absl::string_view line : absl::StrSplit(ReadFile("/proc/stat"), '\n')) {
    if (absl::ConsumePrefix(&line, "btime ")) boot_time = std::stod(std::string(line));
  }
  size_t fds = 0;
  if (DIR* d = ::opendir("/proc/self/fd")) {
    while (const dirent* e = ::readdir(d)) fds += e->d_name[0] != '.' ? 1 : 0;
    ::closedir(d);
    if (fds > 0) --fds;  // The directory stream's own descriptor.
  }
  rlimit limit{};
  ::getrlimit(RLIMIT_NOFILE, &limit);
  return absl::StrCat(
      "# HELP process_cpu_seconds_total Total user and system CPU time spent in seconds.\n"
      "# TYPE process_cpu_seconds_total counter\nprocess_cpu_seconds_total ",
      (field(14) + field(15)) / ticks,
      "\n# HELP process_resident_memory_bytes Resident memory size in bytes.\n"
      "# TYPE process_resident_memory_bytes gauge\nprocess_resident_memory_bytes ",
      static_cast<uint64_t>(field(24) * page),
      "\n# HELP process_virtual_memory_bytes Virtual memory size in bytes.\n"
      "# TYPE process_virtual_memory_bytes gauge\nprocess_virtual_memory_bytes ",
      static_cast<uint64_t>(field(23)),
      "\n# HELP process_open_fds Number of open file descriptors.\n"
      "# TYPE process_open_fds gauge\nprocess_open_fds ",
      fds,
      "\n# HELP process_max_fds Maximum number of open file descriptors.\n"
      "# TYPE process_max_fds gauge\nprocess_max_fds ",
      static_cast<uint64_t>(limit.rlim_cur),
      "\n# HELP process_start_time_seconds Start time of the process since unix epoch in seconds.\n"
      "# TYPE process_start_time_seconds gauge\nprocess_start_time_seconds ",
      static_cast<uint64_t>(boot_time + field(22) / ticks), "\n");
}

std::string RenderBuildInfo() {
  return absl::StrCat(
      "# HELP detectd_build_info The build of detectd: version, git describe, gRPC version; always 1.\n"
      "# TYPE detectd_build_info gauge\ndetectd_build_info{version=\"", version::ProjectVersion(), "\",git=\"",
      version::GitDescribe(), "\",grpc_version=\"", grpc::Version(), "\"} 1\n");
}

}  // namespace detect::server
