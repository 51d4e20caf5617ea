// SourceLocation and RuleIssue: where in which rule file something is, and what a rule author got wrong.
#ifndef DETECT_ENGINE_SOURCE_LOCATION_H_
#define DETECT_ENGINE_SOURCE_LOCATION_H_

#include <string>

namespace detect {

// 1-based line and column; 0 when unknown.
struct SourceLocation {
  std::string file;
  int line = 0;
  int column = 0;

  std::string ToString() const;  // "file:line:col", or fewer parts when unknown.
};

// A rule-author mistake (or a warning), found while loading rules. Errors make the rule unusable.
struct RuleIssue {
  enum class Severity { kError, kWarning };
  Severity severity = Severity::kError;
  SourceLocation location;
  std::string message;
  std::string source_line;  // The line of the file the location points at, when known.

  // "ERROR: rules/x.yml:20:10: message" (or WARNING).
  std::string ToString() const;
  // ToString() followed by the source line and a caret under the column, when known.
  std::string ToStringWithSource() const;
};

}  // namespace detect

#endif  // DETECT_ENGINE_SOURCE_LOCATION_H_
