// Alert records: what a match contributes to an alert (MatchRecord), the alert itself (AlertRecord), its stable
// id, and the one JSON shape every sink, the alert log and `detectctl eval --alerts` print. Plain data; no
// transport, no storage (those are server/alerts/).
#ifndef DETECT_ALERT_ALERT_H_
#define DETECT_ALERT_ALERT_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "engine/rule.h"

namespace detect::alert {

// The static part of a rule an alert carries. Immutable; shared by every match of the rule.
struct RuleMeta {
  std::string id;
  std::string display_name;
  std::string description;
  std::string runbook;
  std::string reference;
  std::vector<std::string> tags;
  std::vector<std::string> mitre;  // "TA0001:T1190"
  int dedup_period_minutes = 60;   // Panther's default.
  int threshold = 1;               // Panther's default.
  // Distinct-value threshold (extension): when set, the window counts distinct values of this field.
  std::string threshold_field;
};

// One match as the alert state machine sees it.
struct MatchRecord {
  std::shared_ptr<const RuleMeta> rule;  // Never null.
  std::string dedup;                     // Rendered dedup (Panther: the title, else the rule id).
  std::string title;
  Severity severity = Severity::kInfo;
  std::string alert_context_json = "{}";  // JSON object.
  std::string summary_json = "{}";        // JSON object: summary attribute name -> value.
  std::string event_id;
  absl::Time time;           // Processing or event time, per the pipeline's clock.
  std::string distinct_value;  // The value of rule->threshold_field in this event (distinct thresholds).
  // Optional: renders alert_context_json and summary_json on demand, for a caller whose fields are costly to
  // render (a window keeps only its opening match's, so only a match that opens one needs them). Null: the
  // fields above are set. `opener_source` is only valid during the call that receives the record; a record
  // kept beyond it (AlertPipeline's replay buffer) is materialized first (MaterializeOpener).
  void (*render_opener)(const void* source, std::string* alert_context_json, std::string* summary_json) = nullptr;
  const void* opener_source = nullptr;
};

// The opening match's alert context and summary JSON of `m`, rendering them if `m` renders on demand.
void OpenerFields(const MatchRecord& m, std::string* alert_context_json, std::string* summary_json);
// Renders `m`'s on-demand fields into it and drops the renderer: the record no longer refers to its source.
void MaterializeOpener(MatchRecord* m);

enum class AlertState { kOpened, kUpdated };
absl::string_view AlertStateName(AlertState state);

// One alert: the window of (rule id, dedup) that reached its threshold.
struct AlertRecord {
  std::string alert_id;
  AlertState state = AlertState::kOpened;
  std::shared_ptr<const RuleMeta> rule;
  std::string dedup;
  // Of the match that opened the window.
  std::string title;
  Severity severity = Severity::kInfo;
  std::string alert_context_json = "{}";
  std::string summary_json = "{}";
  Severity highest_severity = Severity::kInfo;
  absl::Time window_start;
  absl::Time window_end;
  absl::Time first_match_time;
  absl::Time last_match_time;
  int64_t match_count = 0;
  int64_t distinct_count = 0;  // Only for distinct-value thresholds.
  std::vector<std::string> sample_event_ids;
};

// The stable id of the window of (rule_id, dedup) that opened at `window_start`: 32 hex digits, equal on every
// replica and in offline replay for the same window.
std::string AlertId(absl::string_view rule_id, absl::string_view dedup, absl::Time window_start);

// One JSON object on one line (no trailing newline); field names are documented in docs/alerts.md.
std::string AlertToJson(const AlertRecord& alert);
// RFC 3339 with microseconds, UTC ("2024-01-02T03:04:05.123456Z").
std::string FormatAlertTime(absl::Time t);

}  // namespace detect::alert

#endif  // DETECT_ALERT_ALERT_H_
