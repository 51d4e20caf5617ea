// AlertSink: one place alerts are delivered to (webhook, NDJSON file), and the Dispatcher that delivers one
// alert to every sink with retries, exponential backoff and a dead-letter record.
#ifndef DETECT_SERVER_ALERTS_ALERT_SINK_H_
#define DETECT_SERVER_ALERTS_ALERT_SINK_H_

#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "alert/alert.h"
#include "server/alerts/alert_metrics.h"

namespace detect::server {

// Implementations are thread-safe. Deliver may block (network); the dispatcher calls it from its own thread.
class AlertSink {
 public:
  virtual ~AlertSink() = default;
  // `json` is alert::AlertToJson(alert). An error means "try again later".
  virtual absl::Status Deliver(const alert::AlertRecord& alert, const std::string& json) = 0;
  virtual const std::string& name() const = 0;
};

// Appends one line per alert to a file (or standard output for "-"), flushed per alert. Thread-safe.
class FileSink final : public AlertSink {
 public:
  static absl::StatusOr<std::unique_ptr<FileSink>> Open(const std::string& path);
  ~FileSink() override;
  absl::Status Deliver(const alert::AlertRecord& alert, const std::string& json) override;
  const std::string& name() const override { return name_; }

 private:
  FileSink(std::FILE* f, bool owned, std::string path);
  absl::Mutex mu_;
  std::FILE* const file_ ABSL_GUARDED_BY(mu_);
  const bool owned_;
  const std::string name_;
};

struct RetryPolicy {
  int attempts = 5;
  absl::Duration backoff = absl::Milliseconds(200);  // Before the second attempt; doubles, at most 30 s.
};

// Delivers alerts to every sink in turn. A sink that keeps failing costs at most its retry budget and then gets
// a dead-letter record (logged with the alert, counted); the other sinks are unaffected. Thread-safe.
class Dispatcher {
 public:
  Dispatcher(std::vector<std::unique_ptr<AlertSink>> sinks, RetryPolicy retry, AlertMetrics* metrics);
  // Returns when every sink delivered or dead-lettered the alert, or when Stop() is called mid-backoff.
  void Deliver(const alert::AlertRecord& alert);
  void Stop();  // Cuts retry sleeps short (shutdown).
  size_t sink_count() const { return sinks_.size(); }

 private:
  const std::vector<std::unique_ptr<AlertSink>> sinks_;
  const RetryPolicy retry_;
  AlertMetrics* const metrics_;
  absl::Mutex mu_;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
};

}  // namespace detect::server

#endif  // DETECT_SERVER_ALERTS_ALERT_SINK_H_
