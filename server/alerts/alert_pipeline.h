// AlertPipeline: from matches to delivered alerts. Records each match in the store; alerts the store emits go
// to the alert log (an in-process queue here; with Redis the store's script appends them to a Redis Stream and
// a consumer delivers them) and from there through the Dispatcher to the sinks. Evaluation never waits on a
// sink, and never on an unreachable store: matches the store refuses wait in a bounded buffer and are replayed
// in order when it answers again (overflow counted and logged; the degraded gauge says so meanwhile).
#ifndef DETECT_SERVER_ALERTS_ALERT_PIPELINE_H_
#define DETECT_SERVER_ALERTS_ALERT_PIPELINE_H_

#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "alert/alert_store.h"
#include "server/alerts/alert_metrics.h"
#include "server/alerts/alert_options.h"
#include "server/alerts/alert_sink.h"

namespace detect::server {

// The delivery side: where emitted alerts go before the sinks. Thread-safe.
class AlertLog {
 public:
  virtual ~AlertLog() = default;
  // Called with each alert the store emitted, unless the store logged it itself (Redis).
  virtual void Append(const alert::AlertRecord& alert) = 0;
  // Delivers what is queued until `deadline`, then stops the delivery thread.
  virtual void Stop(absl::Time deadline) = 0;
};

// Thread-safe.
class AlertPipeline {
 public:
  // Builds the store, sinks and log the options name. InvalidArgument for a bad store URL or sink.
  static absl::StatusOr<std::unique_ptr<AlertPipeline>> Create(const AlertOptions& options, AlertMetrics* metrics);
  // For tests: a given store and log (the log may be null: alerts are only recorded).
  AlertPipeline(const AlertOptions& options, std::unique_ptr<alert::AlertStore> store, bool store_logs_alerts,
                std::unique_ptr<AlertLog> log, AlertMetrics* metrics);
  ~AlertPipeline();

  // Records one match; returns the id of the alert it opened or joined ("" below the threshold, or when the
  // store is unreachable and the match was buffered).
  std::string Record(const alert::MatchRecord& match) ABSL_LOCKS_EXCLUDED(mu_);
  // Records `matches` in order, in one store call (the Redis store pipelines it into one round trip); returns
  // one alert id per match. Matches the store could not take are materialized (alert::MaterializeOpener) and
  // buffered; `matches` is left in a moved-from state.
  std::vector<std::string> RecordBatch(std::vector<alert::MatchRecord>* matches) ABSL_LOCKS_EXCLUDED(mu_);

  // Stops replaying, delivers what is queued until `deadline`. Idempotent.
  void Shutdown(absl::Time deadline) ABSL_LOCKS_EXCLUDED(mu_);

  // Called with every alert this replica emitted (after the store, before delivery): WatchAlerts subscribers.
  void SetObserver(std::function<void(const alert::AlertRecord&)> observer) ABSL_LOCKS_EXCLUDED(mu_);

  const AlertOptions& options() const { return options_; }
  AlertMetrics& metrics() { return *metrics_; }

 private:
  void Apply(const alert::RecordResult& result);
  void Emit(const alert::AlertRecord& alert) ABSL_LOCKS_EXCLUDED(mu_);
  // Delivers the final updates due at `now` (AlertStore::FlushDue).
  void Flush(absl::Time now) ABSL_LOCKS_EXCLUDED(mu_);
  void FlushLoop();
  bool RecordNow(const alert::MatchRecord& match, std::string* alert_id);  // False: store unreachable.
  // Appends to the replay buffer, or counts and logs the overflow.
  void BufferLocked(alert::MatchRecord match) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void ReplayLoop();

  const AlertOptions options_;
  std::unique_ptr<alert::AlertStore> store_;
  const bool store_logs_alerts_;
  std::unique_ptr<AlertLog> log_;
  AlertMetrics* const metrics_;
  absl::Mutex mu_;
  std::deque<alert::MatchRecord> buffer_ ABSL_GUARDED_BY(mu_);
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::function<void(const alert::AlertRecord&)> observer_ ABSL_GUARDED_BY(mu_);
  std::thread replayer_;
  std::thread flusher_;  // Every second: final updates that are due.
};

// The in-process alert log: a bounded queue and one delivery thread. Thread-safe.
class LocalAlertLog final : public AlertLog {
 public:
  LocalAlertLog(size_t max_queue, std::unique_ptr<Dispatcher> dispatcher, AlertMetrics* metrics);
  ~LocalAlertLog() override;
  void Append(const alert::AlertRecord& alert) override ABSL_LOCKS_EXCLUDED(mu_);
  void Stop(absl::Time deadline) override ABSL_LOCKS_EXCLUDED(mu_);

 private:
  void Run();
  const size_t max_queue_;
  std::unique_ptr<Dispatcher> dispatcher_;
  AlertMetrics* const metrics_;
  absl::Mutex mu_;
  std::deque<alert::AlertRecord> queue_ ABSL_GUARDED_BY(mu_);
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  absl::Time deadline_ ABSL_GUARDED_BY(mu_) = absl::InfiniteFuture();
  std::thread thread_;
};

}  // namespace detect::server

#endif  // DETECT_SERVER_ALERTS_ALERT_PIPELINE_H_
