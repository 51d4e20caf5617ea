// Formatting of match lines.
#include "client/match_format.h"

#include <algorithm>
#include <cstdio>
#include <iterator>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/str_format.h"
#include "common/json_escape.h"

namespace detect::client {
namespace {

constexpr absl::string_view kFieldNames[] = {"line",  "audit_id", "rule_id", "severity",
                                             "title", "dedup",    "summary", "alert_context"};

}  // namespace

const MatchFields& AllMatchFields() {
  static const MatchFields* all = new MatchFields{MatchField::kLine,  MatchField::kAuditId, MatchField::kRuleId,
                                                  MatchField::kSeverity, MatchField::kTitle, MatchField::kDedup,
                                                  MatchField::kSummary, MatchField::kAlertContext};
  return *all;
}

absl::StatusOr<MatchFields> ParseMatchFields(absl::string_view spec) {
  if (spec.empty()) return AllMatchFields();
  std::vector<bool> chosen(std::size(kFieldNames), false);
  for (absl::string_view name : absl::StrSplit(spec, ',', absl::SkipWhitespace())) {
    name = absl::StripAsciiWhitespace(name);
    const auto* it = std::find(std::begin(kFieldNames), std::end(kFieldNames), name);
    if (it == std::end(kFieldNames)) {
      return absl::InvalidArgumentError(absl::StrCat("unknown --fields name \"", name,
                                                     "\"; fields: ", absl::StrJoin(kFieldNames, ",")));
    }
    chosen[it - std::begin(kFieldNames)] = true;
  }
  MatchFields fields;
  for (size_t i = 0; i < chosen.size(); ++i) {
    if (chosen[i]) fields.push_back(static_cast<MatchField>(i));
  }
  return fields;
}

bool HasField(const MatchFields& fields, MatchField field) {
  return std::find(fields.begin(), fields.end(), field) != fields.end();
}

std::string FormatMatchNdjson(const MatchRecord& m, const MatchFields& fields) {
  std::string out = "{";
  for (MatchField f : fields) {
    if (out.size() > 1) out += ", ";
    absl::StrAppend(&out, "\"", kFieldNames[static_cast<int>(f)], "\": ");
    switch (f) {
      case MatchField::kLine: absl::StrAppend(&out, m.line); break;
      case MatchField::kAuditId:
        if (m.audit_id.empty()) out += "null"; else AppendAsciiJsonString(m.audit_id, &out);
        break;
      case MatchField::kRuleId: AppendAsciiJsonString(m.rule_id, &out); break;
      case MatchField::kSeverity: AppendAsciiJsonString(m.severity, &out); break;
      case MatchField::kTitle: AppendAsciiJsonString(m.title, &out); break;
      case MatchField::kDedup: AppendAsciiJsonString(m.dedup, &out); break;
      case MatchField::kSummary: out += m.summary_json; break;
      case MatchField::kAlertContext: out += m.alert_context_json; break;
    }
  }
  out += "}\n";
  return out;
}

std::string FormatTable(const std::vector<std::vector<std::string>>& rows) {
  std::vector<size_t> widths;
  for (const auto& row : rows) {
    if (widths.size() < row.size()) widths.resize(row.size(), 0);
    for (size_t i = 0; i < row.size(); ++i) widths[i] = std::max(widths[i], row[i].size());
  }
  std::string out;
  for (const auto& row : rows) {
    std::string line;
    for (size_t i = 0; i < row.size(); ++i) {
      line += row[i];
      if (i + 1 < row.size()) line.append(widths[i] - row[i].size() + 2, ' ');
    }
    absl::StrAppend(&out, line, "\n");
  }
  return out;
}

std::string MatchTableHeader() { return absl::StrFormat("%-8s %-8s %-45s %s\n", "LINE", "SEVERITY", "RULE_ID", "TITLE"); }

std::string Plural(size_t n, absl::string_view singular, absl::string_view plural) {
  if (n == 1) return absl::StrCat(n, " ", singular);
  return absl::StrCat(n, " ", plural.empty() ? absl::StrCat(singular, "s") : std::string(plural));
}

std::string FormatMatchText(size_t line, absl::string_view rule_id, absl::string_view severity,
                            absl::string_view title) {
  return absl::StrFormat("%-8d %-8s %-45s %s\n", line, severity, rule_id, title);
}

}  // namespace detect::client
