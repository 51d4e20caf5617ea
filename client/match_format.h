// Output of matches shared by `detectctl eval`, `evaluate` and `stream`: NDJSON lines formatted exactly as
// Python's json.dumps prints them (so outputs diff cleanly against Panther-style tooling), and table rows.
#ifndef DETECT_CLIENT_MATCH_FORMAT_H_
#define DETECT_CLIENT_MATCH_FORMAT_H_

#include <cstddef>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

#include "absl/strings/string_view.h"

namespace detect::client {

// One match as detectctl prints it, from the engine (eval) or from detectd (evaluate, stream).
struct MatchRecord {
  size_t line = 0;              // 1-based position of the event in the input.
  std::string audit_id;         // The event's auditID; empty: the event has none (printed as null).
  std::string rule_id;
  std::string severity;         // As the rule writes it: "Info", "Low", "Medium", "High", "Critical".
  std::string title;
  std::string dedup;
  std::string summary_json = "{}";        // {"path": value, ...} in the rule's SummaryAttributes order.
  std::string alert_context_json = "{}";  // Canonical (client/canonical_json.h).
};

// The keys of an NDJSON match line, in output order; --fields chooses a subset.
enum class MatchField { kLine, kAuditId, kRuleId, kSeverity, kTitle, kDedup, kSummary, kAlertContext };
using MatchFields = std::vector<MatchField>;
// Every field, in order: line, audit_id, rule_id, severity, title, dedup, summary, alert_context.
const MatchFields& AllMatchFields();
// "rule_id,title" -> fields (output keeps the order above); "" -> all. InvalidArgument names the valid ones.
absl::StatusOr<MatchFields> ParseMatchFields(absl::string_view spec);
bool HasField(const MatchFields& fields, MatchField field);

// {"line": 1, "audit_id": "...", "rule_id": "...", "severity": "Low", "title": "...", "dedup": "...",
//  "summary": {...}, "alert_context": {...}} (the chosen fields) plus a newline.
std::string FormatMatchNdjson(const MatchRecord& match, const MatchFields& fields);

// Rows (the first is the header) as left-aligned columns as wide as their widest cell, two spaces apart.
std::string FormatTable(const std::vector<std::vector<std::string>>& rows);
// The header row of the match table, and "1 match"/"2 matches" style counts.
std::string MatchTableHeader();
std::string Plural(size_t n, absl::string_view singular, absl::string_view plural = "");
// "LINE  SEVERITY  RULE_ID  TITLE" plus a newline.
std::string FormatMatchText(size_t line, absl::string_view rule_id, absl::string_view severity,
                            absl::string_view title);

}  // namespace detect::client

#endif  // DETECT_CLIENT_MATCH_FORMAT_H_
