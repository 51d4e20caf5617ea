// Output of matches shared by `detectctl eval`, `evaluate` and `stream`: NDJSON lines formatted exactly as
// Python's json.dumps prints them (so outputs diff cleanly against Panther-style tooling), and table rows.
#ifndef DETECT_CLIENT_MATCH_FORMAT_H_
#define DETECT_CLIENT_MATCH_FORMAT_H_

#include <cstddef>
#include <string>

#include "absl/strings/string_view.h"

namespace detect::client {

// {"line": 1, "rule_id": "...", "severity": "Low", "title": "...", "dedup": "..."} plus a newline.
std::string FormatMatchNdjson(size_t line, absl::string_view rule_id, absl::string_view severity,
                              absl::string_view title, absl::string_view dedup);
// "LINE  SEVERITY  RULE_ID  TITLE" plus a newline.
std::string FormatMatchText(size_t line, absl::string_view rule_id, absl::string_view severity,
                            absl::string_view title);
// A JSON string literal with non-ASCII escaped as \uXXXX, as json.dumps(ensure_ascii=True) writes it.
void AppendAsciiJsonString(absl::string_view s, std::string& out);

}  // namespace detect::client

#endif  // DETECT_CLIENT_MATCH_FORMAT_H_
