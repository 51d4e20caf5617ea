// The --alert* flags of detectd.
#include "server/alerts/alert_flags.h"

#include <string>

#include "absl/flags/flag.h"
#include "absl/strings/str_cat.h"

ABSL_FLAG(bool, alerts, true,
          "Turn matches into alerts (DedupPeriodMinutes windows, Threshold), delivered to the --alert_* sinks");
ABSL_FLAG(std::string, alert_store, "memory",
          "Where alert windows live: memory (this process, bounded by --alert_max_windows)");
ABSL_FLAG(std::string, alert_clock, "processing",
          "Alert window clock: processing (arrival time, as Panther) or event (p_event_time, else "
          "requestReceivedTimestamp / stageTimestamp)");
ABSL_FLAG(std::string, alert_file, "", "Append each alert as one JSON line to this file; '-': standard output");
ABSL_FLAG(int64_t, alert_max_windows, 100000,
          "Memory store: most alert windows kept (least recently used evicted beyond; counted and logged)");
ABSL_FLAG(int64_t, alert_max_queue, 10000, "Most alerts waiting for delivery in process (beyond: counted, logged)");
ABSL_FLAG(double, alert_update_interval_seconds, 300,
          "An alert's updates (new matches after it opened) are delivered at most this often; 0: every match");
ABSL_FLAG(int, alert_max_sample_events, 10, "Most sample event ids an alert carries");

namespace detect::server {

absl::StatusOr<AlertOptions> AlertOptionsFromFlags() {
  AlertOptions o;
  o.enabled = absl::GetFlag(FLAGS_alerts);
  o.store = absl::GetFlag(FLAGS_alert_store);
  const std::string clock = absl::GetFlag(FLAGS_alert_clock);
  if (clock == "processing") {
    o.clock = AlertClock::kProcessing;
  } else if (clock == "event") {
    o.clock = AlertClock::kEvent;
  } else {
    return absl::InvalidArgumentError(absl::StrCat("--alert_clock must be processing or event; got '", clock, "'"));
  }
  o.file = absl::GetFlag(FLAGS_alert_file);
  const int64_t max_windows = absl::GetFlag(FLAGS_alert_max_windows);
  const int64_t max_queue = absl::GetFlag(FLAGS_alert_max_queue);
  const int max_samples = absl::GetFlag(FLAGS_alert_max_sample_events);
  const double update = absl::GetFlag(FLAGS_alert_update_interval_seconds);
  if (max_windows < 1) return absl::InvalidArgumentError("--alert_max_windows must be at least 1");
  if (max_queue < 1) return absl::InvalidArgumentError("--alert_max_queue must be at least 1");
  if (max_samples < 0) return absl::InvalidArgumentError("--alert_max_sample_events must not be negative");
  if (update < 0) return absl::InvalidArgumentError("--alert_update_interval_seconds must not be negative");
  o.max_windows = static_cast<size_t>(max_windows);
  o.max_queue = static_cast<size_t>(max_queue);
  o.policy.max_sample_event_ids = static_cast<size_t>(max_samples);
  o.policy.update_interval = absl::Seconds(update);
  return o;
}

}  // namespace detect::server
