// RedisAlertFeed: WatchAlerts over the Redis store's alert log, the partition streams RedisAlertStore's script
// appends to (every replica's alerts). Each cursor has its own connection and reads with XREAD BLOCK from its
// per-stream positions (plain reads, one stream at a time, on Redis Cluster where one XREAD may not span slots).
// Ids are "p<partition>-<stream entry id>". Resuming after p<P>-<M>-<S> reads stream P after M-S and every other
// stream from millisecond M on: nothing is missed, and alerts of that same millisecond on other partitions may
// come again (same alert_id). A resume position older than what MAXLEN trimmed (XINFO STREAM: entries-added,
// length, first-entry) is reported as missed alerts.
#ifndef DETECT_SERVER_ALERTS_REDIS_ALERT_FEED_H_
#define DETECT_SERVER_ALERTS_REDIS_ALERT_FEED_H_

#include <memory>
#include <string>
#include <vector>

#include "server/alerts/alert_feed.h"
#include "server/alerts/alert_options.h"
#include "server/alerts/redis_client.h"

namespace detect::server {

// Thread-safe (Open only reads configuration; each cursor owns its connection).
class RedisAlertFeed final : public AlertFeed {
 public:
  RedisAlertFeed(RedisAddress address, const AlertOptions& options);
  absl::StatusOr<std::unique_ptr<FeedCursor>> Open(const std::string& since) override;

 private:
  class Cursor;
  const RedisAddress address_;
  const absl::Duration timeout_;
  std::vector<std::string> streams_;
};

}  // namespace detect::server

#endif  // DETECT_SERVER_ALERTS_REDIS_ALERT_FEED_H_
