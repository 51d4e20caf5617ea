// Flags for connection, listener and memory limits: see limit_flags.h and docs/reliability.md.
#include "server/limit_flags.h"

#include "absl/flags/flag.h"
#include "server/memory_budget.h"

ABSL_FLAG(bool, allow_port_reuse, false,
          "Let other processes listen on the same --listen port (SO_REUSEPORT). Off: detectd refuses to start "
          "on a port already in use, so two servers with different rules never share one address");
ABSL_FLAG(int, max_streams_per_connection, 100,
          "Calls one client connection may have open at once (HTTP/2 SETTINGS_MAX_CONCURRENT_STREAMS; gRPC "
          "refuses more); 0: gRPC's default (unbounded)");
ABSL_FLAG(double, listener_check_seconds, 10,
          "How often detectd checks that its gRPC port still accepts connections (gRPC stops accepting for good "
          "after running out of descriptors); when it does not, detectd reports NOT_SERVING and exits with "
          "status 3 so that it is restarted. 0: no checks");
ABSL_FLAG(int64_t, max_queued_response_bytes, 1 << 20,
          "Bytes of evaluated responses one stream may have waiting for a slow reader before detectd stops reading "
          "that stream (one response always fits); 0: no byte bound");

namespace detect::server {

void ApplyLimitFlags(DaemonOptions* options) {
  options->connection.allow_port_reuse = absl::GetFlag(FLAGS_allow_port_reuse);
  options->connection.max_streams_per_connection = absl::GetFlag(FLAGS_max_streams_per_connection);
  options->service.max_queued_response_bytes = absl::GetFlag(FLAGS_max_queued_response_bytes);
  // --memory_quota_bytes (main.cc): 0 is automatic, negative is unbounded.
  if (options->memory_quota_bytes == 0) {
    options->memory_quota_bytes = DefaultMemoryQuotaBytes(CgroupMemoryLimitBytes());
  } else if (options->memory_quota_bytes < 0) {
    options->memory_quota_bytes = 0;
  }
  options->listener_check_interval = absl::Seconds(absl::GetFlag(FLAGS_listener_check_seconds));
}

}  // namespace detect::server
