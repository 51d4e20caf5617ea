// AlertOptions: how detectd turns matches into alerts (store, clock, sinks, bounds). Filled from flags by
// alert_flags.cc (detectd) or directly by tests.
#ifndef DETECT_SERVER_ALERTS_ALERT_OPTIONS_H_
#define DETECT_SERVER_ALERTS_ALERT_OPTIONS_H_

#include <string>
#include <vector>

#include "absl/time/time.h"
#include "alert/window.h"

namespace detect::server {

enum class AlertClock { kProcessing, kEvent };

struct AlertOptions {
  bool enabled = true;
  // "memory", "redis://HOST:PORT" or "unix:///path/to/redis.sock".
  std::string store = "memory";
  AlertClock clock = AlertClock::kProcessing;
  alert::WindowPolicy policy;
  size_t max_windows = 100000;  // Memory store: most open windows (LRU beyond; evictions counted and logged).
  size_t max_queue = 10000;     // In-process delivery queue: most alerts waiting (beyond: counted, logged).
  // Sinks.
  std::vector<std::string> webhooks;
  std::string webhook_secret_file;  // Its content (trimmed) keys an HMAC-SHA256 signature header.
  std::string webhook_format = "json";  // "json" (the alert object) or "slack" ({"text": ...}).
  int webhook_attempts = 5;             // Attempts per alert before the dead letter.
  absl::Duration webhook_backoff = absl::Milliseconds(200);  // First retry delay; doubles each time.
  absl::Duration webhook_timeout = absl::Seconds(5);
  std::string file;  // NDJSON file to append alerts to; "-": standard output.
  // Redis store.
  std::string redis_prefix = "detectd";
  int redis_partitions = 16;         // Alert-log streams (each in the hash slot of its windows).
  size_t redis_buffer = 10000;       // Matches kept while Redis is unreachable, replayed when it returns.
  absl::Duration redis_timeout = absl::Seconds(1);
  absl::Duration redis_claim_idle = absl::Seconds(60);  // Entries a consumer held this long are re-claimed.
  std::string consumer_name;         // Consumer-group member name; empty: hostname-pid.
  // WatchAlerts.
  size_t watch_ring = 1024;              // Memory store: alerts the in-process alert log keeps for watchers.
  int watch_max_watchers = 16;           // Concurrent WatchAlerts streams (one thread, and with Redis one connection, each).
  int64_t watch_max_queued_bytes = 1 << 20;  // Per watcher: alerts waiting to be written before reading pauses.
};

}  // namespace detect::server

#endif  // DETECT_SERVER_ALERTS_ALERT_OPTIONS_H_
