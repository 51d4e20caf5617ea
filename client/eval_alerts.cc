// `detectctl eval --alerts`: offline replay. Evaluates the events in input order on one thread, gives every match
// of a rule that creates alerts its event time (alert/event_time.h) and replays the matches through the alert
// window state machine (alert/replay.h): the alerts the file would have produced on a detectd with
// --alert_clock=event, printed in the one alert JSON shape (docs/alerts.md) or as a table.
#include "client/eval_alerts.h"

#include <cstdio>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "alert/alert.h"
#include "alert/event_time.h"
#include "alert/replay.h"
#include "alert/rule_meta.h"
#include "client/canonical_json.h"
#include "client/match_format.h"
#include "common/json_escape.h"
#include "engine/json_event.h"

namespace detect::client {
namespace {

std::string SummaryJson(const std::vector<SummaryValue>& summary) {
  std::string out = "{";
  for (const SummaryValue& s : summary) {
    if (out.size() > 1) out += ",";
    AppendJsonString(s.name, &out);
    out += ":";
    out += CanonicalJson(s.json);
  }
  out += "}";
  return out;
}

std::string AlertTable(const std::vector<alert::AlertRecord>& alerts) {
  std::vector<std::vector<std::string>> rows = {
      {"FIRST_EVENT_TIME", "LAST_EVENT_TIME", "MATCHES", "SEVERITY", "RULE_ID", "DEDUP"}};
  for (const alert::AlertRecord& a : alerts) {
    rows.push_back({alert::FormatAlertTime(a.first_match_time), alert::FormatAlertTime(a.last_match_time),
                    absl::StrCat(a.match_count), std::string(SeverityName(a.severity)), a.rule->id, a.dedup});
  }
  return FormatTable(rows);
}

}  // namespace

int ReplayAlerts(const RuleSet& rules, const EventBatch& batch, const std::string& log_type, bool ndjson) {
  std::vector<std::shared_ptr<const alert::RuleMeta>> metas;
  for (size_t i = 0; i < rules.size(); ++i) metas.push_back(alert::RuleMetaOf(rules.rule(i)));
  alert::AlertReplay replay;
  JsonEventParser parser(rules.options());
  EvalScratch scratch;
  EvalResult result;
  size_t matches = 0, errors = 0, untimed = 0, no_alert_rule = 0;
  for (size_t i = 0; i < batch.events.size(); ++i) {
    result.Clear();
    absl::StatusOr<Value> event = rules.ParseJson(batch.events[i], parser, /*padded=*/true);
    if (!event.ok()) {
      ++errors;
      std::fprintf(stderr, "line %zu: %s\n", i + 1, std::string(event.status().message()).c_str());
      continue;
    }
    rules.Evaluate(*event, log_type, scratch, result);
    if (result.matches.empty()) continue;
    const std::optional<absl::Time> time = alert::EventTimeOfJson(batch.events[i]);
    const Value audit_id = event->Get("auditID");
    for (const Match& m : result.matches) {
      ++matches;
      if (!m.rule->create_alert) {
        ++no_alert_rule;
        continue;
      }
      if (!time.has_value()) {
        ++untimed;
        continue;
      }
      alert::MatchRecord record;
      record.rule = metas[m.rule_index];
      record.dedup = m.dedup;
      record.title = m.title;
      record.severity = m.severity;
      record.alert_context_json = CanonicalJson(m.alert_context_json);
      record.summary_json = SummaryJson(m.summary);
      record.distinct_value = m.distinct_value;
      record.event_id = audit_id.is_string() ? std::string(audit_id.string_value()) : absl::StrCat("line ", i + 1);
      record.time = *time;
      replay.Add(record);
    }
  }
  const std::vector<alert::AlertRecord> alerts = replay.Finish();
  if (ndjson) {
    for (const alert::AlertRecord& a : alerts) std::printf("%s\n", alert::AlertToJson(a).c_str());
  } else if (!alerts.empty()) {
    std::fputs(AlertTable(alerts).c_str(), stdout);
  }
  std::fflush(stdout);
  std::fprintf(stderr,
               "events=%zu matches=%zu alerts=%zu windows_below_threshold=%zu matches_without_event_time=%zu "
               "matches_of_rules_without_alerts=%zu errors=%zu\n",
               batch.events.size(), matches, alerts.size(), replay.windows_below_threshold(), untimed, no_alert_rule,
               errors);
  if (untimed > 0) {
    std::fprintf(stderr,
                 "detectctl eval --alerts: %zu matches had no event time (p_event_time, requestReceivedTimestamp, "
                 "stageTimestamp) and are in no alert\n",
                 untimed);
  }
  return errors == 0 ? 0 : 1;
}

}  // namespace detect::client
