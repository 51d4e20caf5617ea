// RuleInfo and RuleTest: the static metadata of one loaded rule (everything in its file except the detection
// logic), and the unit tests it carries. Plain data, immutable once a RuleSet holds it.
#ifndef DETECT_ENGINE_RULE_H_
#define DETECT_ENGINE_RULE_H_

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/string_view.h"
#include "engine/source_location.h"

namespace detect {

enum class Severity { kInfo, kLow, kMedium, kHigh, kCritical };

// Panther's spelling: Info, Low, Medium, High, Critical.
absl::string_view SeverityName(Severity severity);
// Accepts exactly Panther's spellings.
std::optional<Severity> ParseSeverity(absl::string_view name);

// One entry of a rule's `Tests:`.
struct RuleTest {
  std::string name;
  SourceLocation location;
  std::string log_json;  // The test event (`Log:`), as JSON text.
  bool expected_result = false;
  std::optional<std::string> expected_title;
  std::optional<std::string> expected_dedup;
  std::optional<Severity> expected_severity;
  std::optional<std::string> expected_alert_context_json;  // Compared as JSON values, not as text.
};

struct RuleInfo {
  std::string id;
  std::string display_name;
  std::string analysis_type = "rule";  // "rule" or "scheduled_rule".
  bool enabled = true;
  std::vector<std::string> log_types;
  Severity severity = Severity::kInfo;
  std::string description;
  // `Reports:`, e.g. {"MITRE ATT&CK", {"TA0001:T1190"}}, in file order.
  std::vector<std::pair<std::string, std::vector<std::string>>> reports;
  std::string reference;
  std::string runbook;
  std::vector<std::string> summary_attributes;  // As written (Snowflake notation).
  std::vector<std::string> tags;
  std::vector<std::string> output_ids;
  int dedup_period_minutes = 60;
  int threshold = 1;
  // ThresholdDistinctField (extension): the field whose distinct values a window counts against Threshold,
  // as written (a KeyPath string, or the text of a Key/KeyPath/DeepKey/DataModel spec); empty: count matches.
  std::string threshold_distinct_field;
  bool create_alert = true;
  SourceLocation location;  // The rule file; line and column of `RuleID:`.
  std::vector<RuleTest> tests;
};

}  // namespace detect

#endif  // DETECT_ENGINE_RULE_H_
