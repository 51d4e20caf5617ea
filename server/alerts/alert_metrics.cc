// AlertMetrics rendering.
#include "server/alerts/alert_metrics.h"

#include "absl/strings/str_cat.h"

namespace detect::server {
namespace {

const char* OutcomeName(int o) {
  switch (static_cast<DeliveryOutcome>(o)) {
    case DeliveryOutcome::kDelivered: return "delivered";
    case DeliveryOutcome::kRetried: return "retried";
    case DeliveryOutcome::kDeadLettered: return "dead_lettered";
  }
  return "unknown";
}

template <typename T>
void Metric(std::string* out, const char* name, const char* type, const char* help, const std::atomic<T>& v) {
  absl::StrAppend(out, "# HELP ", name, " ", help, "\n# TYPE ", name, " ", type, "\n", name, " ",
                  v.load(std::memory_order_relaxed), "\n");
}

}  // namespace

void AlertMetrics::RecordDelivery(const std::string& sink, DeliveryOutcome outcome) {
  absl::MutexLock lock(&mu_);
  ++deliveries_[{sink, static_cast<int>(outcome)}];
}

uint64_t AlertMetrics::deliveries(const std::string& sink, DeliveryOutcome outcome) const {
  absl::MutexLock lock(&mu_);
  auto it = deliveries_.find({sink, static_cast<int>(outcome)});
  return it == deliveries_.end() ? 0 : it->second;
}

std::string AlertMetrics::RenderPrometheus() const {
  std::string out;
  Metric(&out, "detect_alerts_opened_total", "counter", "Alerts opened (a window reached its threshold).",
         alerts_opened);
  Metric(&out, "detect_alerts_updated_total", "counter", "Alert updates emitted.", alerts_updated);
  Metric(&out, "detect_alert_matches_joined_total", "counter", "Matches that joined an alert without an update.",
         matches_joined);
  Metric(&out, "detect_alert_final_updates_total", "counter",
         "Updates delivered because an alert had undelivered matches and no later match came (also in updated).",
         final_updates);
  Metric(&out, "detect_alert_distinct_values_dropped_total", "counter",
         "Distinct-threshold values not counted because their window's distinct set was full.", distinct_dropped);
  Metric(&out, "detect_alert_matches_below_threshold_total", "counter",
         "Matches counted in a window that has not reached its threshold.", matches_below_threshold);
  Metric(&out, "detect_alert_store_errors_total", "counter", "Alert store operations that failed.", store_errors);
  Metric(&out, "detect_alert_window_evictions_total", "counter",
         "Open alert windows evicted from the bounded in-memory store.", evictions);
  Metric(&out, "detect_alert_queue_overflow_total", "counter", "Alerts the delivery queue could not hold.",
         queue_overflow);
  Metric(&out, "detect_alert_queue_depth", "gauge", "Alerts waiting for delivery.", queue_depth);
  Metric(&out, "detect_alert_buffer_overflow_total", "counter",
         "Matches lost because the store was unreachable and the replay buffer was full.", buffer_overflow);
  Metric(&out, "detect_alert_buffered_matches", "gauge", "Matches waiting for the store to come back.", buffered);
  Metric(&out, "detect_alert_store_degraded", "gauge", "1 while the alert store is unreachable.", degraded);
  Metric(&out, "detect_alert_event_time_missing_total", "counter",
         "Event-clock matches whose event had no time (processing time used).", event_time_missing);
  Metric(&out, "detect_alert_redeliveries_total", "counter",
         "Alert-log entries claimed from a consumer that did not acknowledge them.", redeliveries);
  out.append("# HELP detect_alert_deliveries_total Alert deliveries by sink and outcome.\n"
             "# TYPE detect_alert_deliveries_total counter\n");
  absl::MutexLock lock(&mu_);
  for (const auto& [key, n] : deliveries_) {
    absl::StrAppend(&out, "detect_alert_deliveries_total{sink=\"", key.first, "\",outcome=\"",
                    OutcomeName(key.second), "\"} ", n, "\n");
  }
  return out;
}

}  // namespace detect::server
