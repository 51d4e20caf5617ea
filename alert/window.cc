// ApplyMatch: the window/threshold state machine.
#include "alert/window.h"

#include <algorithm>

#include "common/fnv1a.h"

namespace detect::alert {
namespace {

void Open(const MatchRecord& m, Window* w) {
  AlertRecord& a = w->alert;
  const RuleMeta& rule = *m.rule;
  w->open = true;
  w->alerted = false;
  w->last_emitted = absl::InfinitePast();
  w->emitted_count = 0;
  w->distinct.clear();
  a.rule = m.rule;
  a.dedup = m.dedup;
  a.title = m.title;
  a.severity = m.severity;
  a.highest_severity = m.severity;
  OpenerFields(m, &a.alert_context_json, &a.summary_json);
  a.window_start = m.time;
  a.window_end = m.time + absl::Minutes(std::max(rule.dedup_period_minutes, 1));
  a.first_match_time = m.time;
  a.last_match_time = m.time;
  a.match_count = 0;
  a.distinct_count = 0;
  a.sample_event_ids.clear();
  a.alert_id = AlertId(rule.id, m.dedup, a.window_start);
}

}  // namespace

size_t DistinctBound(const RuleMeta& rule, const WindowPolicy& policy) {
  return std::max<size_t>({policy.max_distinct_values, static_cast<size_t>(std::max(rule.threshold, 1)), 1});
}

uint64_t DistinctFingerprint(absl::string_view value) {
  return Fnv1a64(value);  // Stable across processes: fingerprints are kept in Redis and shared by replicas.
}

Outcome ApplyMatch(const MatchRecord& m, const WindowPolicy& policy, Window* w, bool* distinct_dropped) {
  if (distinct_dropped != nullptr) *distinct_dropped = false;
  if (!w->open || m.time >= w->alert.window_end) Open(m, w);
  AlertRecord& a = w->alert;
  a.rule = m.rule;  // The newest rule metadata (a reload may have changed it).
  ++a.match_count;
  a.first_match_time = std::min(a.first_match_time, m.time);
  a.last_match_time = std::max(a.last_match_time, m.time);
  a.highest_severity = std::max(a.highest_severity, m.severity);
  if (a.sample_event_ids.size() < policy.max_sample_event_ids && !m.event_id.empty()) {
    a.sample_event_ids.push_back(m.event_id);
  }
  int64_t progress = a.match_count;
  if (!m.rule->threshold_field.empty()) {
    if (!m.distinct_value.empty()) {
      const uint64_t fp = DistinctFingerprint(m.distinct_value);
      if (w->distinct.size() < DistinctBound(*m.rule, policy)) {
        w->distinct.insert(fp);
      } else if (distinct_dropped != nullptr && !w->distinct.contains(fp)) {
        *distinct_dropped = true;
      }
    }
    a.distinct_count = static_cast<int64_t>(w->distinct.size());
    progress = a.distinct_count;
  }
  if (!w->alerted) {
    if (progress < std::max(m.rule->threshold, 1)) return Outcome::kBelowThreshold;
    w->alerted = true;
    w->last_emitted = m.time;
    w->emitted_count = a.match_count;
    a.state = AlertState::kOpened;
    return Outcome::kAlertOpened;
  }
  if (m.time - w->last_emitted < policy.update_interval) return Outcome::kAlertJoined;
  w->last_emitted = m.time;
  w->emitted_count = a.match_count;
  a.state = AlertState::kUpdated;
  return Outcome::kAlertUpdated;
}

bool TakeFinalUpdate(Window* w) {
  if (!w->open || !w->alerted || w->alert.match_count <= w->emitted_count) return false;
  w->last_emitted = w->alert.last_match_time;
  w->emitted_count = w->alert.match_count;
  w->alert.state = AlertState::kUpdated;
  return true;
}

}  // namespace detect::alert
