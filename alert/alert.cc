// AlertId and the JSON rendering of an alert.
#include "alert/alert.h"

#include <cstdio>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/fnv1a.h"
#include "common/json_escape.h"

namespace detect::alert {
namespace {

void AppendStringList(const std::vector<std::string>& list, std::string* out) {
  out->push_back('[');
  for (size_t i = 0; i < list.size(); ++i) {
    if (i > 0) out->push_back(',');
    AppendJsonString(list[i], out);
  }
  out->push_back(']');
}

}  // namespace

void OpenerFields(const MatchRecord& m, std::string* alert_context_json, std::string* summary_json) {
  if (m.render_opener != nullptr) {
    m.render_opener(m.opener_source, alert_context_json, summary_json);
  } else {
    *alert_context_json = m.alert_context_json;
    *summary_json = m.summary_json;
  }
}

void MaterializeOpener(MatchRecord* m) {
  if (m->render_opener == nullptr) return;
  m->render_opener(m->opener_source, &m->alert_context_json, &m->summary_json);
  m->render_opener = nullptr;
  m->opener_source = nullptr;
}

absl::string_view AlertStateName(AlertState state) { return state == AlertState::kOpened ? "opened" : "updated"; }

std::string AlertId(absl::string_view rule_id, absl::string_view dedup, absl::Time window_start) {
  std::string key = absl::StrCat(rule_id, std::string(1, '\0'), dedup, std::string(1, '\0'),
                                 absl::ToUnixMicros(window_start));
  return absl::StrFormat("%016x%016x", Fnv1a64(key), Fnv1a64(key, 0x9e3779b97f4a7c15ull));
}

std::string FormatAlertTime(absl::Time t) { return absl::FormatTime("%Y-%m-%dT%H:%M:%E6SZ", t, absl::UTCTimeZone()); }

std::string AlertToJson(const AlertRecord& a) {
  std::string out = "{\"alert_id\":";
  AppendJsonString(a.alert_id, &out);
  const RuleMeta& r = *a.rule;
  const auto str = [&out](absl::string_view key, absl::string_view value) {
    absl::StrAppend(&out, ",\"", key, "\":");
    AppendJsonString(value, &out);
  };
  str("state", AlertStateName(a.state));
  str("rule_id", r.id);
  str("dedup", a.dedup);
  str("title", a.title);
  str("severity", SeverityName(a.severity));
  str("highest_severity", SeverityName(a.highest_severity));
  absl::StrAppend(&out, ",\"match_count\":", a.match_count);
  if (!r.threshold_field.empty()) {
    absl::StrAppend(&out, ",\"distinct_count\":", a.distinct_count);
    str("threshold_field", r.threshold_field);
  }
  absl::StrAppend(&out, ",\"threshold\":", r.threshold, ",\"dedup_period_minutes\":", r.dedup_period_minutes);
  str("window_start", FormatAlertTime(a.window_start));
  str("window_end", FormatAlertTime(a.window_end));
  str("first_event_time", FormatAlertTime(a.first_match_time));
  str("last_event_time", FormatAlertTime(a.last_match_time));
  out.append(",\"sample_event_ids\":");
  AppendStringList(a.sample_event_ids, &out);
  absl::StrAppend(&out, ",\"alert_context\":", a.alert_context_json.empty() ? "{}" : a.alert_context_json);
  absl::StrAppend(&out, ",\"summary_attributes\":", a.summary_json.empty() ? "{}" : a.summary_json);
  str("display_name", r.display_name);
  str("description", r.description);
  str("runbook", r.runbook);
  str("reference", r.reference);
  out.append(",\"tags\":");
  AppendStringList(r.tags, &out);
  out.append(",\"mitre_attack\":");
  AppendStringList(r.mitre, &out);
  out.push_back('}');
  return out;
}

}  // namespace detect::alert
