// AlertStore: where alert windows live. The interface is small (record one match, learn what it did) so that
// the in-memory store (memory_store.h) and the Redis store (server/alerts/redis_store.h) pass one test suite.
#ifndef DETECT_ALERT_ALERT_STORE_H_
#define DETECT_ALERT_ALERT_STORE_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "alert/alert.h"
#include "alert/window.h"

namespace detect::alert {

struct RecordResult {
  Outcome outcome = Outcome::kBelowThreshold;
  std::string alert_id;               // The alert the match opened or joined; empty below the threshold.
  std::optional<AlertRecord> emit;    // Set for kAlertOpened / kAlertUpdated: what to deliver.
  bool distinct_dropped = false;      // The match's distinct value was new but its window's set was full.
  // When this match ended its key's previous window and that window's alert had matches not yet delivered: its
  // final update (state "updated"), to deliver before `emit`.
  std::optional<AlertRecord> final_update;
};

// Implementations are thread-safe.
class AlertStore {
 public:
  virtual ~AlertStore() = default;
  // Applies one match atomically (two replicas recording matches of one key at once make exactly one alert).
  // An error means the match was not recorded (the caller may buffer and retry it).
  virtual absl::StatusOr<RecordResult> Record(const MatchRecord& match) = 0;
  // Applies `matches` in order, each atomically (as Record), with one result per match; a store may batch
  // them (the Redis store pipelines a batch into one round trip). The default calls Record for each.
  virtual std::vector<absl::StatusOr<RecordResult>> RecordBatch(const std::vector<MatchRecord>& matches) {
    std::vector<absl::StatusOr<RecordResult>> out;
    out.reserve(matches.size());
    for (const MatchRecord& m : matches) out.push_back(Record(m));
    return out;
  }
  // The final updates that are due at `now` (processing time): an alert whose latest matches joined it without
  // an update (Outcome::kAlertJoined) is due `update_interval` after the first such match, so its final count
  // and last match time are delivered even when no later match comes. Each due alert is returned once, as an
  // update (state "updated"), and marked delivered; a store that logs alerts itself (Redis) has logged them.
  virtual absl::StatusOr<std::vector<AlertRecord>> FlushDue(absl::Time now) {
    (void)now;
    return std::vector<AlertRecord>();
  }
};

// The key of a window: rule id and dedup, joined unambiguously.
std::string WindowKey(absl::string_view rule_id, absl::string_view dedup);

}  // namespace detect::alert

#endif  // DETECT_ALERT_ALERT_STORE_H_
