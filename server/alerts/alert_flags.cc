// The --alert* flags of detectd.
#include "server/alerts/alert_flags.h"

#include <string>

#include "absl/flags/flag.h"
#include "absl/strings/ascii.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"

ABSL_FLAG(bool, alerts, true,
          "Turn matches into alerts (DedupPeriodMinutes windows, Threshold), delivered to the --alert_* sinks");
ABSL_FLAG(std::string, alert_store, "memory",
          "Where alert windows live: memory (this process, bounded by --alert_max_windows), or Redis shared by "
          "every replica: redis://HOST:PORT, redis://:PASSWORD@HOST:PORT or unix:///PATH.sock");
ABSL_FLAG(detect::server::WebhookList, alert_webhook, detect::server::WebhookList{},
          "POST each alert as JSON to this http(s) URL. Repeatable: every occurrence is used, and each may also "
          "hold a comma-separated list");
ABSL_FLAG(std::string, alert_webhook_secret_file, "",
          "File holding a shared secret: webhook requests carry X-Detectd-Signature: sha256=HMAC-SHA256(body)");
ABSL_FLAG(std::string, alert_webhook_format, "json", "Webhook body: json (the alert) or slack ({\"text\": ...})");
ABSL_FLAG(int, alert_webhook_attempts, 5, "Attempts per alert and webhook before the alert is dead-lettered");
ABSL_FLAG(double, alert_webhook_timeout_seconds, 5, "Timeout of one webhook request");
ABSL_FLAG(std::string, alert_redis_prefix, "detectd", "Prefix of every Redis key detectd writes");
ABSL_FLAG(int, alert_redis_partitions, 16,
          "Alert-log streams in Redis; windows hash over them (each partition is one Redis Cluster hash slot)");
ABSL_FLAG(int64_t, alert_redis_buffer, 10000,
          "Matches kept in memory while the alert store is unreachable, replayed when it returns");
ABSL_FLAG(double, alert_redis_claim_idle_seconds, 60,
          "Alerts another replica read but did not acknowledge for this long are delivered by this one");
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
ABSL_FLAG(int64_t, alert_watch_ring, 1024,
          "Memory store: the last alerts kept for WatchAlerts (a watcher resuming from an older id starts at the "
          "oldest kept, told that it missed alerts)");
ABSL_FLAG(int, alert_watch_max_watchers, 16,
          "Most concurrent WatchAlerts streams (each has a thread and, with Redis, a connection); beyond: "
          "RESOURCE_EXHAUSTED");
ABSL_FLAG(int64_t, alert_watch_max_queued_bytes, 1 << 20,
          "Per WatchAlerts stream: bytes of alerts waiting to be written before the server stops reading the alert "
          "log for that watcher");
ABSL_FLAG(int64_t, alert_max_distinct_values, 100,
          "Distinct-value thresholds (ThresholdDistinctField): most distinct values a window remembers (a rule's "
          "higher Threshold raises it for that rule); values past it are not counted (counted in a metric)");

namespace detect::server {

bool AbslParseFlag(absl::string_view text, WebhookList* list, std::string*) {
  // Called once per occurrence: keep every one (absl keeps only the last).
  static auto* seen = new std::vector<std::string>();
  for (absl::string_view url : absl::StrSplit(text, ',', absl::SkipWhitespace())) {
    seen->push_back(std::string(absl::StripAsciiWhitespace(url)));
  }
  list->urls = *seen;
  return true;
}

std::string AbslUnparseFlag(const WebhookList& list) { return absl::StrJoin(list.urls, ","); }

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
  const int64_t max_distinct = absl::GetFlag(FLAGS_alert_max_distinct_values);
  if (max_distinct < 1) return absl::InvalidArgumentError("--alert_max_distinct_values must be at least 1");
  o.policy.max_distinct_values = static_cast<size_t>(max_distinct);
  if (update < 0) return absl::InvalidArgumentError("--alert_update_interval_seconds must not be negative");
  o.webhooks = absl::GetFlag(FLAGS_alert_webhook).urls;
  o.webhook_secret_file = absl::GetFlag(FLAGS_alert_webhook_secret_file);
  o.webhook_format = absl::GetFlag(FLAGS_alert_webhook_format);
  o.webhook_attempts = absl::GetFlag(FLAGS_alert_webhook_attempts);
  o.webhook_timeout = absl::Seconds(absl::GetFlag(FLAGS_alert_webhook_timeout_seconds));
  o.redis_prefix = absl::GetFlag(FLAGS_alert_redis_prefix);
  o.redis_partitions = absl::GetFlag(FLAGS_alert_redis_partitions);
  const int64_t buffer = absl::GetFlag(FLAGS_alert_redis_buffer);
  o.redis_claim_idle = absl::Seconds(absl::GetFlag(FLAGS_alert_redis_claim_idle_seconds));
  if (o.webhook_attempts < 1) return absl::InvalidArgumentError("--alert_webhook_attempts must be at least 1");
  if (o.redis_partitions < 1) return absl::InvalidArgumentError("--alert_redis_partitions must be at least 1");
  if (buffer < 0) return absl::InvalidArgumentError("--alert_redis_buffer must not be negative");
  if (o.redis_claim_idle <= absl::ZeroDuration()) {
    return absl::InvalidArgumentError("--alert_redis_claim_idle_seconds must be positive");
  }
  const int64_t watch_ring = absl::GetFlag(FLAGS_alert_watch_ring);
  o.watch_max_watchers = absl::GetFlag(FLAGS_alert_watch_max_watchers);
  o.watch_max_queued_bytes = absl::GetFlag(FLAGS_alert_watch_max_queued_bytes);
  if (watch_ring < 1) return absl::InvalidArgumentError("--alert_watch_ring must be at least 1");
  if (o.watch_max_watchers < 0) return absl::InvalidArgumentError("--alert_watch_max_watchers must not be negative");
  if (o.watch_max_queued_bytes < 1) {
    return absl::InvalidArgumentError("--alert_watch_max_queued_bytes must be at least 1");
  }
  o.watch_ring = static_cast<size_t>(watch_ring);
  o.redis_buffer = static_cast<size_t>(buffer);
  o.max_windows = static_cast<size_t>(max_windows);
  o.max_queue = static_cast<size_t>(max_queue);
  o.policy.max_sample_event_ids = static_cast<size_t>(max_samples);
  o.policy.update_interval = absl::Seconds(update);
  return o;
}

}  // namespace detect::server
