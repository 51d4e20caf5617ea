// AlertReplay: offline replay of matches into alerts (`detectctl eval --alerts`). Applies each match, in the
// order given and at its own (event) time, to its (rule id, dedup) window with the same state machine the server
// uses (alert/window.h), and keeps every window that reached its threshold with its final counts: the alerts a
// detectd with --alert_clock=event would have opened for the same stream. Unbounded (one window per key of the
// input): offline only.
#ifndef DETECT_ALERT_REPLAY_H_
#define DETECT_ALERT_REPLAY_H_

#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "alert/alert.h"
#include "alert/window.h"

namespace detect::alert {

// Thread-compatible.
class AlertReplay {
 public:
  AlertReplay();
  void Add(const MatchRecord& match);
  // Every window that reached its threshold, with its final counts and state "opened", ordered by window start,
  // then rule id, then dedup. Call once, after the last Add.
  std::vector<AlertRecord> Finish();
  // Windows that ended (or were still open at the end) below their threshold: no alert.
  size_t windows_below_threshold() const { return below_threshold_; }

 private:
  void Close(Window& w);
  WindowPolicy policy_;
  absl::flat_hash_map<std::string, Window> windows_;
  std::vector<AlertRecord> alerts_;
  size_t below_threshold_ = 0;
};

}  // namespace detect::alert

#endif  // DETECT_ALERT_REPLAY_H_
