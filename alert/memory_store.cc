// MemoryAlertStore: an LRU map of windows.
#include "alert/memory_store.h"

#include <algorithm>
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
      pending_.erase(victim.key);
      index_.erase(victim.key);
      lru_.pop_back();
    }
    lru_.push_front(Entry{key, Window{}});
    it = index_.emplace(std::move(key), lru_.begin()).first;
  } else if (it->second != lru_.begin()) {
    lru_.splice(lru_.begin(), lru_, it->second);
  }
  Window& w = it->second->window;
  if (WindowEnded(w, match.time)) {  // This match opens a new window: deliver the old one's final count first.
    if (pending_.erase(it->second->key) > 0 && TakeFinalUpdate(&w)) result.final_update = w.alert;
  }
  result.outcome = ApplyMatch(match, options_.policy, &w, &result.distinct_dropped);
  if (result.outcome != Outcome::kBelowThreshold) result.alert_id = w.alert.alert_id;
  if (result.outcome == Outcome::kAlertOpened || result.outcome == Outcome::kAlertUpdated) {
    result.emit = w.alert;
    pending_.erase(it->second->key);
  } else if (result.outcome == Outcome::kAlertJoined) {
    // Due within the update interval, and within the window (so by its end on the processing clock).
    const absl::Duration period = absl::Minutes(std::max(match.rule->dedup_period_minutes, 1));
    pending_.try_emplace(it->second->key, options_.now() + std::min(options_.policy.update_interval, period));
  }
  return result;
}

absl::StatusOr<std::vector<AlertRecord>> MemoryAlertStore::FlushDue(absl::Time now) {
  std::vector<AlertRecord> out;
  absl::MutexLock lock(&mu_);
  for (auto it = pending_.begin(); it != pending_.end();) {
    if (it->second > now) {
      ++it;
      continue;
    }
    auto w = index_.find(it->first);
    if (w != index_.end() && TakeFinalUpdate(&w->second->window)) out.push_back(w->second->window.alert);
    pending_.erase(it++);
  }
  return out;
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
