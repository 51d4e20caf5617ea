// Severity names, spelled as Panther spells them.
#include "engine/rule.h"

namespace detect {

absl::string_view SeverityName(Severity severity) {
  switch (severity) {
    case Severity::kInfo: return "Info";
    case Severity::kLow: return "Low";
    case Severity::kMedium: return "Medium";
    case Severity::kHigh: return "High";
    case Severity::kCritical: return "Critical";
  }
  return "Info";
}

std::optional<Severity> ParseSeverity(absl::string_view name) {
  for (Severity s : {Severity::kInfo, Severity::kLow, Severity::kMedium, Severity::kHigh, Severity::kCritical}) {
    if (SeverityName(s) == name) return s;
  }
  return std::nullopt;
}

}  // namespace detect
