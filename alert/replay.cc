// AlertReplay.
#include "alert/replay.h"

#include <algorithm>
#include <tuple>

#include "alert/alert_store.h"

namespace detect::alert {

AlertReplay::AlertReplay() {
  policy_.update_interval = absl::ZeroDuration();  // Final counts only; updates are not printed.
}

void AlertReplay::Close(Window& w) {
  if (!w.open) return;
  if (w.alerted) {
    w.alert.state = AlertState::kOpened;
    alerts_.push_back(w.alert);
  } else {
    ++below_threshold_;
  }
  w.open = false;
}

void AlertReplay::Add(const MatchRecord& match) {
  Window& w = windows_[WindowKey(match.rule->id, match.dedup)];
  if (w.open && match.time >= w.alert.window_end) Close(w);  // ApplyMatch opens the next window.
  ApplyMatch(match, policy_, &w);
}

std::vector<AlertRecord> AlertReplay::Finish() {
  for (auto& [key, w] : windows_) Close(w);
  windows_.clear();
  std::sort(alerts_.begin(), alerts_.end(), [](const AlertRecord& a, const AlertRecord& b) {
    return std::tie(a.window_start, a.rule->id, a.dedup) < std::tie(b.window_start, b.rule->id, b.dedup);
  });
  return std::move(alerts_);
}

}  // namespace detect::alert
