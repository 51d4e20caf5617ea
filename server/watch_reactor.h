// WatchAlerts: one WatchReactor per call, and the WatchHub that bounds and ends them. Each watcher has a pump
// thread that pulls batches from the alert log through its own FeedCursor (alert_feed.h) and queues the responses;
// at most one write is in flight. The pump reads the log only while the watcher's queued responses are below
// max_queued_bytes, so a watcher that does not read costs that much memory and no more (it falls behind in the
// log instead). Watchers are bounded by max_watchers (RESOURCE_EXHAUSTED beyond); Shutdown ends every stream
// with UNAVAILABLE ("resume with since_log_id=...") before the gRPC drain, so watchers never hold it up.
#ifndef DETECT_SERVER_WATCH_REACTOR_H_
#define DETECT_SERVER_WATCH_REACTOR_H_

#include <atomic>
#include <deque>
#include <cstdint>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "detect/v1/detect.grpc.pb.h"
#include "server/alerts/alert_feed.h"

namespace detect::server {

struct WatchOptions {
  int max_watchers = 16;                 // Concurrent WatchAlerts streams (one pump thread each). 0: unbounded.
  int64_t max_queued_bytes = 1 << 20;    // Per watcher: serialized responses waiting to be written.
  size_t batch = 64;                     // Alerts read from the log at a time.
  absl::Duration poll = absl::Milliseconds(250);  // Longest wait on the log before checking cancel / shutdown.
};

// Thread-safe counters, rendered with the alert metrics.
struct WatchMetrics {
  std::atomic<int64_t> watchers{0};
  std::atomic<int64_t> queued_bytes{0};   // Across watchers.
  std::atomic<uint64_t> refused{0};       // Beyond max_watchers.
  std::atomic<uint64_t> sent{0};          // Alerts written to watchers.
  std::atomic<uint64_t> missed{0};        // Resumes (or slow watchers) that found alerts dropped from the log.
  std::atomic<uint64_t> log_errors{0};    // Failed reads of the alert log (Redis unreachable).
  std::atomic<uint64_t> throttled{0};     // Times a watcher's queue was full and its pump waited.
  std::string RenderPrometheus() const;
};

class WatchReactor;

// Thread-safe. `feed` is not owned and must outlive the hub.
class WatchHub {
 public:
  WatchHub(AlertFeed* feed, WatchOptions options);
  ~WatchHub();  // Shutdown().

  // The reactor for one WatchAlerts call (gRPC owns it).
  grpc::ServerWriteReactor<v1::WatchAlertsResponse>* Start(grpc::CallbackServerContext* context,
                                                           const v1::WatchAlertsRequest* request)
      ABSL_LOCKS_EXCLUDED(mu_);
  // Ends every watch with UNAVAILABLE, refuses new ones, and waits for the pump threads. Idempotent.
  void Shutdown() ABSL_LOCKS_EXCLUDED(mu_);

  WatchMetrics& metrics() { return metrics_; }
  const WatchOptions& options() const { return options_; }
  AlertFeed* feed() { return feed_; }
  bool shutting_down() ABSL_LOCKS_EXCLUDED(mu_);

 private:
  friend class WatchReactor;
  void PumpExited(uint64_t id) ABSL_LOCKS_EXCLUDED(mu_);
  void ReapLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  AlertFeed* const feed_;
  const WatchOptions options_;
  WatchMetrics metrics_;
  absl::Mutex mu_;
  bool shutting_down_ ABSL_GUARDED_BY(mu_) = false;
  uint64_t next_id_ ABSL_GUARDED_BY(mu_) = 0;
  std::map<uint64_t, WatchReactor*> live_ ABSL_GUARDED_BY(mu_);
  std::map<uint64_t, std::thread> threads_ ABSL_GUARDED_BY(mu_);
  std::vector<uint64_t> exited_ ABSL_GUARDED_BY(mu_);  // Threads to join.
};

// Owned by gRPC (deletes itself in OnDone). Its pump thread is the only caller of Finish and the only one to
// start a write while none is in flight; OnWriteDone starts the next queued one. State guarded by mu_; gRPC
// operations are started outside the lock.
class WatchReactor final : public grpc::ServerWriteReactor<v1::WatchAlertsResponse> {
 public:
  WatchReactor(WatchHub* hub, uint64_t id, std::string since);
  void Pump();  // The pump thread's body.
  void Stop() ABSL_LOCKS_EXCLUDED(mu_);  // Hub shutdown: end with UNAVAILABLE.
  void OnWriteDone(bool ok) override ABSL_LOCKS_EXCLUDED(mu_);
  void OnCancel() override ABSL_LOCKS_EXCLUDED(mu_);
  void OnDone() override { delete this; }

 private:
  bool StoppingLocked() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return cancelled_ || stopped_ || write_failed_; }
  // Queues one response; returns the response to start writing (outside the lock), if none was in flight.
  const v1::WatchAlertsResponse* PushLocked(v1::WatchAlertsResponse response) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  WatchHub* const hub_;
  const uint64_t id_;
  const std::string since_;
  absl::Mutex mu_;
  std::deque<v1::WatchAlertsResponse> queue_ ABSL_GUARDED_BY(mu_);  // Front: being written when writing_.
  std::deque<int64_t> sizes_ ABSL_GUARDED_BY(mu_);
  int64_t queued_bytes_ ABSL_GUARDED_BY(mu_) = 0;
  bool writing_ ABSL_GUARDED_BY(mu_) = false;
  bool cancelled_ ABSL_GUARDED_BY(mu_) = false;
  bool stopped_ ABSL_GUARDED_BY(mu_) = false;
  bool write_failed_ ABSL_GUARDED_BY(mu_) = false;
  std::string last_written_ ABSL_GUARDED_BY(mu_);  // log_id of the last alert written (to resume after).
};

}  // namespace detect::server

#endif  // DETECT_SERVER_WATCH_REACTOR_H_
