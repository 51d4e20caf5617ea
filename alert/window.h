// The alert window state machine (Panther's semantics): per (rule id, dedup), the first match opens a window of
// DedupPeriodMinutes; the match that brings it to Threshold makes it an alert; later matches in the window update
// the alert; the first match at or after the window's end opens a new window. Pure: the caller owns the state
// and supplies the match time, so memory and offline replay share it and the Redis Lua script mirrors it.
#ifndef DETECT_ALERT_WINDOW_H_
#define DETECT_ALERT_WINDOW_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/time/time.h"
#include "alert/alert.h"

namespace detect::alert {

struct WindowPolicy {
  size_t max_sample_event_ids = 10;
  // Distinct thresholds: most distinct values remembered per window, as 8-byte fingerprints (so about 1.2 KB
  // per full window at the default). A rule's Threshold above it raises it for that rule's windows, so the
  // threshold stays reachable. Values past the bound are not counted (Outcome reports them dropped).
  size_t max_distinct_values = 100;
  // An update of an alert is emitted at most this often (at the first match this long after the last emission);
  // zero: every match after the threshold emits an update.
  absl::Duration update_interval = absl::Minutes(5);
};

// What one match did to its window.
enum class Outcome {
  kBelowThreshold,  // Counted; the window has fewer than Threshold matches (or distinct values).
  kAlertOpened,     // This match reached the threshold: a new alert (emit state "opened").
  kAlertUpdated,    // Joined an alert and an update is due (emit state "updated").
  kAlertJoined,     // Joined an alert; no update due yet.
};

// The state of one (rule id, dedup) key. Thread-compatible.
struct Window {
  bool open = false;
  AlertRecord alert;  // Opening match's fields, counts and times; alert_id set when the window opens.
  bool alerted = false;
  absl::Time last_emitted = absl::InfinitePast();
  int64_t emitted_count = 0;  // alert.match_count when the alert was last emitted.
  absl::flat_hash_set<uint64_t> distinct;  // Fingerprints (DistinctFingerprint) of the values counted.
};

// The most distinct values a window of `rule` remembers under `policy`: max(policy bound, rule Threshold).
size_t DistinctBound(const RuleMeta& rule, const WindowPolicy& policy);

// A stable 64-bit fingerprint of a distinct value (equal in every process: the Redis store keeps its hex form).
uint64_t DistinctFingerprint(absl::string_view value);

// Applies `match` to `window`. When the outcome is kAlertOpened or kAlertUpdated, `window->alert` (with its
// state set accordingly) is what to deliver. A match earlier than the window's start (event time going
// backwards) joins the window; only a match at or after its end opens a new one. `distinct_dropped` (optional)
// is set when the match's distinct value was new but the window's distinct set was full.
Outcome ApplyMatch(const MatchRecord& match, const WindowPolicy& policy, Window* window,
                   bool* distinct_dropped = nullptr);

// The final update of an alert whose last matches were counted but not delivered (kAlertJoined since its last
// emission): marks the window emitted and returns true with `window->alert` (state "updated") to deliver; false
// when there is nothing new to deliver.
bool TakeFinalUpdate(Window* window);

// True once the window has ended at `now` (a store may forget it).
inline bool WindowEnded(const Window& w, absl::Time now) { return !w.open || now >= w.alert.window_end; }

}  // namespace detect::alert

#endif  // DETECT_ALERT_WINDOW_H_
