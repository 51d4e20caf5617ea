// AlertFeed: the alert log as WatchAlerts reads it, from a position (an alert-log id) onwards. Two kinds:
//   AlertRing (memory store): the last `capacity` alerts this process emitted, ids "mem-<process start ms>-<seq>";
//   RedisAlertFeed (Redis store, redis_alert_feed.h): the partition streams every replica appends to, ids
//   "p<partition>-<stream entry id>".
// A watcher holds a FeedCursor and pulls batches; nothing is pushed to it, so a watcher that does not read costs
// the log nothing (it falls behind; if the log dropped what it had not read, its next batch says so).
#ifndef DETECT_SERVER_ALERTS_ALERT_FEED_H_
#define DETECT_SERVER_ALERTS_ALERT_FEED_H_

#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "alert/alert.h"

namespace detect::server {

struct WatchedAlert {
  std::string log_id;  // Resume after it with since = log_id.
  alert::AlertRecord alert;
};

struct WatchBatch {
  std::vector<WatchedAlert> alerts;
  // Alerts between the cursor's position and the first of `alerts` are no longer in the log (the ring or the
  // stream's MAXLEN dropped them, or the id was of an earlier process): the batch starts at the oldest kept.
  bool missed = false;
};

// One watcher's position. Thread-compatible (one watcher thread).
class FeedCursor {
 public:
  virtual ~FeedCursor() = default;
  // Up to `max` alerts after the position (waiting up to `wait` for the first), and advances past them. An
  // empty batch when none came. Unavailable while the log cannot be read (Redis down): try again later.
  virtual absl::StatusOr<WatchBatch> Next(size_t max, absl::Duration wait) = 0;
};

// Thread-safe.
class AlertFeed {
 public:
  virtual ~AlertFeed() = default;
  // A cursor after `since`: "" = only alerts appended from now on; "0" = everything the log still holds; else
  // an id a watcher received (InvalidArgument if it is not one of this log's ids).
  virtual absl::StatusOr<std::unique_ptr<FeedCursor>> Open(const std::string& since) = 0;
};

// The in-process alert log for WatchAlerts with the memory store: a ring of the last `capacity` alerts with
// increasing ids. Thread-safe; Append never blocks on watchers.
class AlertRing final : public AlertFeed {
 public:
  static constexpr size_t kDefaultCapacity = 1024;  // About 2 MB of alerts at 2 KB each.
  explicit AlertRing(size_t capacity = kDefaultCapacity);
  void Append(const alert::AlertRecord& alert) ABSL_LOCKS_EXCLUDED(mu_);
  absl::StatusOr<std::unique_ptr<FeedCursor>> Open(const std::string& since) override ABSL_LOCKS_EXCLUDED(mu_);
  size_t capacity() const { return capacity_; }

 private:
  class Cursor;
  std::string IdOf(uint64_t seq) const;
  const size_t capacity_;
  const std::string prefix_;  // "mem-<process start ms>-"
  absl::Mutex mu_;
  std::deque<WatchedAlert> ring_ ABSL_GUARDED_BY(mu_);
  uint64_t next_seq_ ABSL_GUARDED_BY(mu_) = 1;  // The id of the next alert appended; ring_ holds the ones before.
};

}  // namespace detect::server

#endif  // DETECT_SERVER_ALERTS_ALERT_FEED_H_
