// MemoryAlertStore: an LRU map of windows.
#include "alert/memory_store.h"

#include <utility>

#include "absl/strings/str_cat.h"

namespace detect::alert {

std::string WindowKey(absl::string_view rule_id, absl::string_view dedup) {
  return absl::StrCat(rule_id.size(), ":", rule_id, dedup);
}

MemoryAlertStore::MemoryAlertStore(MemoryStoreOptions options) : options_(std::move(options)) {}

size_t MemoryAlertStore::size() const {
  absl::MutexLock lock(&mu_);
  return index_.size();
}

RecordResult MemoryAlertStore::RecordLocked(const MatchRecord& match, std::vector<Evicted>* evicted) {
  std::string key = WindowKey(match.rule->id, match.dedup);
  RecordResult result;
  auto it = index_.find(key);
  if (it == index_.end()) {
    if (options_.max_windows > 0 && index_.size() >= options_.max_windows) {
      Entry& victim = lru_.back();
      if (!WindowEnded(victim.window, match.time)) {
        evicted->push_back({victim.window.alert.rule->id, victim.window.alert.dedup});
      }
      index_.erase(victim.key);
      lru_.pop_back();
    }
    lru_.push_front(Entry{key, Window{}});
    it = index_.emplace(std::move(key), lru_.begin()).first;
  } else if (it->second != lru_.begin()) {
    lru_.splice(lru_.begin(), lru_, it->second);
  }
  Window& w = it->second->window;
  result.outcome = ApplyMatch(match, options_.policy, &w, &result.distinct_dropped);
  if (result.outcome != Outcome::kBelowThreshold) result.alert_id = w.alert.alert_id;
  if (result.outcome == Outcome::kAlertOpened || result.outcome == Outcome::kAlertUpdated) result.emit = w.alert;
  return result;
}

void MemoryAlertStore::ReportEvictions(const std::vector<Evicted>& evicted) {
  for (const Evicted& e : evicted) {
    evictions_.fetch_add(1, std::memory_order_relaxed);
    if (options_.on_evict) options_.on_evict(e.rule_id, e.dedup);
  }
}

absl::StatusOr<RecordResult> MemoryAlertStore::Record(const MatchRecord& match) {
  std::vector<Evicted> evicted;
  RecordResult result;
  {
    absl::MutexLock lock(&mu_);
    result = RecordLocked(match, &evicted);
  }
  ReportEvictions(evicted);
  return result;
}

std::vector<absl::StatusOr<RecordResult>> MemoryAlertStore::RecordBatch(const std::vector<MatchRecord>& matches) {
  std::vector<absl::StatusOr<RecordResult>> out;
  out.reserve(matches.size());
  std::vector<Evicted> evicted;
  {
    absl::MutexLock lock(&mu_);
    for (const MatchRecord& m : matches) out.push_back(RecordLocked(m, &evicted));
  }
  ReportEvictions(evicted);
  return out;
}

}  // namespace detect::alert
