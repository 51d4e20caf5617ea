// AlertMetrics: Prometheus counters and gauges of the alert pipeline (alerts opened/updated, matches below
// threshold, deliveries by sink and outcome, queue depth, store errors, evictions, degraded state).
#ifndef DETECT_SERVER_ALERTS_ALERT_METRICS_H_
#define DETECT_SERVER_ALERTS_ALERT_METRICS_H_

#include <atomic>
#include <cstdint>
#include <map>
#include <string>
#include <utility>

#include "absl/synchronization/mutex.h"

namespace detect::server {

enum class DeliveryOutcome { kDelivered, kRetried, kDeadLettered };

// Thread-safe.
class AlertMetrics {
 public:
  std::atomic<uint64_t> alerts_opened{0};
  std::atomic<uint64_t> alerts_updated{0};
  std::atomic<uint64_t> matches_joined{0};         // Joined an alert without emitting an update.
  std::atomic<uint64_t> matches_below_threshold{0};
  std::atomic<uint64_t> store_errors{0};
  std::atomic<uint64_t> evictions{0};
  std::atomic<uint64_t> queue_overflow{0};          // Alerts the in-process queue could not hold.
  std::atomic<int64_t> queue_depth{0};
  std::atomic<uint64_t> buffer_overflow{0};         // Matches the Redis-down buffer could not hold.
  std::atomic<int64_t> buffered{0};                 // Matches waiting for Redis.
  std::atomic<int64_t> degraded{0};                 // 1 while the store is unreachable.
  std::atomic<uint64_t> event_time_missing{0};      // Event clock, event without a time: processing time used.
  std::atomic<uint64_t> redeliveries{0};            // Alert-log entries re-claimed from another consumer.
  std::atomic<uint64_t> distinct_dropped{0};
  std::atomic<uint64_t> final_updates{0};           // Updates emitted by the flush of due final counts.        // New distinct values a full window set did not count.

  void RecordDelivery(const std::string& sink, DeliveryOutcome outcome) ABSL_LOCKS_EXCLUDED(mu_);
  uint64_t deliveries(const std::string& sink, DeliveryOutcome outcome) const ABSL_LOCKS_EXCLUDED(mu_);
  // Prometheus text exposition lines, to append to the server's.
  std::string RenderPrometheus() const ABSL_LOCKS_EXCLUDED(mu_);

 private:
  mutable absl::Mutex mu_;
  std::map<std::pair<std::string, int>, uint64_t> deliveries_ ABSL_GUARDED_BY(mu_);
};

}  // namespace detect::server

#endif  // DETECT_SERVER_ALERTS_ALERT_METRICS_H_
