// Formatting of source locations and rule issues.
#include "engine/source_location.h"

#include "absl/strings/str_cat.h"

namespace detect {

std::string SourceLocation::ToString() const {
  if (line <= 0) return file;
  if (column <= 0) return absl::StrCat(file, ":", line);
  return absl::StrCat(file, ":", line, ":", column);
}

std::string RuleIssue::ToString() const {
  return absl::StrCat(severity == Severity::kError ? "ERROR: " : "WARNING: ", location.ToString(), ": ", message);
}

std::string RuleIssue::ToStringWithSource() const {
  std::string out = ToString();
  if (source_line.empty() || location.column <= 0) return out;
  absl::StrAppend(&out, "\n    ", source_line, "\n    ", std::string(location.column - 1, ' '), "^");
  return out;
}

}  // namespace detect
