// RedisAlertStore: alert windows in Redis, shared by every replica. One hash per (rule id, dedup) window, updated
// by one Lua script (EVALSHA, EVAL when the server does not have it cached), so that replicas recording matches of
// one key at the same moment make exactly one alert. When a window reaches its threshold (or an update is due) the
// script appends the alert to a Redis Stream in the same hash slot, atomically with the window update: the alert
// log that RedisAlertLog (redis_alert_log.h) delivers from. Keys: PREFIX:{pN}:w:HASH (window),
// PREFIX:{pN}:d:HASH (distinct values), PREFIX:{pN}:alerts (stream), PREFIX:{pN}:due (windows whose final update
// is due, by time; FlushDue), with N = hash(rule id, dedup) mod
// partitions, so a partition's keys share one Redis Cluster hash slot and partitions spread over slots.
#ifndef DETECT_SERVER_ALERTS_REDIS_STORE_H_
#define DETECT_SERVER_ALERTS_REDIS_STORE_H_

#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "alert/alert_store.h"
#include "server/alerts/alert_options.h"
#include "server/alerts/redis_client.h"

namespace detect::server {

// Thread-safe (a pool of connections).
class RedisAlertStore final : public alert::AlertStore {
 public:
  // Does not connect: the first Record does (and fails with Unavailable while Redis is down).
  RedisAlertStore(const RedisAddress& address, const AlertOptions& options);
  absl::StatusOr<alert::RecordResult> Record(const alert::MatchRecord& match) override;
  // One pipelined round trip for the batch, and a second for the matches that open a window (only those send
  // the opening match's fields and rule metadata). Each match is still one atomic script call.
  std::vector<absl::StatusOr<alert::RecordResult>> RecordBatch(
      const std::vector<alert::MatchRecord>& matches) override;

  // Final updates due by `now`, over every partition (one pipelined script call each); the script has
  // appended them to the alert log.
  absl::StatusOr<std::vector<alert::AlertRecord>> FlushDue(absl::Time now) override;

  static std::string StreamKey(const std::string& prefix, int partition);
  // The sorted set of windows whose final update is due (by processing time).
  static std::string DueKey(const std::string& prefix, int partition);
  // The script's source (for tests and docs).
  static const char* Script();

 private:
  std::vector<absl::StatusOr<alert::RecordResult>> RecordAll(const std::vector<const alert::MatchRecord*>& matches);
  // The script call for `m`; with_opener adds the fields a window keeps from its opening match. `prior`: the
  // latest time of the matches of m's key sent before it in the same pipeline (nullopt: none).
  std::vector<std::string> Argv(const alert::MatchRecord& m, bool with_opener,
                                std::optional<absl::Time> prior = std::nullopt) const;
  // Pipelines `commands` (EVALSHA calls); loads the script and sends again those that found it missing.
  std::vector<absl::StatusOr<RedisReply>> Run(RedisConnection* conn, std::vector<std::vector<std::string>> commands,
                                              const char* script = Script());

  const AlertOptions options_;
  RedisPool pool_;
  const std::string sha_;
  const std::string flush_sha_;
};

// An alert from the field/value pairs of a window hash or stream entry (as the script writes them).
alert::AlertRecord AlertFromFields(const std::vector<std::pair<std::string, std::string>>& fields);

}  // namespace detect::server

#endif  // DETECT_SERVER_ALERTS_REDIS_STORE_H_
