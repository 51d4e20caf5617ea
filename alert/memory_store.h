// MemoryAlertStore: alert windows in process memory, bounded as an LRU of at most max_windows keys. Evicting a
// window that has not ended loses its count (a later match opens a new window); every such eviction is counted
// and reported through the on_evict hook (the server logs and exports it), never silent.
#ifndef DETECT_ALERT_MEMORY_STORE_H_
#define DETECT_ALERT_MEMORY_STORE_H_

#include <atomic>
#include <functional>
#include <list>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"
#include "alert/alert_store.h"

namespace detect::alert {

struct MemoryStoreOptions {
  // About 100 MB at the worst (10 sample ids and 1 KB context per window), plus 1.2 KB per window of a
  // distinct-threshold rule whose distinct set is full (policy.max_distinct_values 100 fingerprints).
  size_t max_windows = 100000;
  WindowPolicy policy;
  // Processing time, for when a final update is due (FlushDue).
  std::function<absl::Time()> now = absl::Now;
  // Called (outside no lock: keep it cheap) for each open window evicted, with its rule id and dedup.
  std::function<void(const std::string& rule_id, const std::string& dedup)> on_evict;
};

// Thread-safe (one mutex around the map; Record is O(1)).
class MemoryAlertStore final : public AlertStore {
 public:
  explicit MemoryAlertStore(MemoryStoreOptions options);
  absl::StatusOr<RecordResult> Record(const MatchRecord& match) override ABSL_LOCKS_EXCLUDED(mu_);
  // One lock for the whole batch.
  std::vector<absl::StatusOr<RecordResult>> RecordBatch(const std::vector<MatchRecord>& matches) override
      ABSL_LOCKS_EXCLUDED(mu_);

  absl::StatusOr<std::vector<AlertRecord>> FlushDue(absl::Time now) override ABSL_LOCKS_EXCLUDED(mu_);

  size_t size() const ABSL_LOCKS_EXCLUDED(mu_);
  uint64_t evictions() const { return evictions_.load(std::memory_order_relaxed); }

 private:
  struct Entry {
    std::string key;
    Window window;
  };
  struct Evicted {
    std::string rule_id, dedup;
  };
  RecordResult RecordLocked(const MatchRecord& match, std::vector<Evicted>* evicted)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void ReportEvictions(const std::vector<Evicted>& evicted);
  const MemoryStoreOptions options_;
  mutable absl::Mutex mu_;
  std::list<Entry> lru_ ABSL_GUARDED_BY(mu_);  // Most recently used first.
  absl::flat_hash_map<std::string, std::list<Entry>::iterator> index_ ABSL_GUARDED_BY(mu_);
  // Alerts with matches not yet delivered: window key -> when the final update is due (processing time).
  absl::flat_hash_map<std::string, absl::Time> pending_ ABSL_GUARDED_BY(mu_);
  std::atomic<uint64_t> evictions_{0};
};

}  // namespace detect::alert

#endif  // DETECT_ALERT_MEMORY_STORE_H_
