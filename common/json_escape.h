// JSON string literals: the one escaper of detectd and detectctl (engine reports, log lines, alert records,
// ingest responses, detectctl's output). Two forms: UTF-8 text as it is, or ASCII only as Python's
// json.dumps writes it (detectctl's output is compared with Python's, byte for byte).
#ifndef DETECT_COMMON_JSON_ESCAPE_H_
#define DETECT_COMMON_JSON_ESCAPE_H_

#include <string>

#include "absl/strings/string_view.h"

namespace detect {

// Appends `s` to `out` as a JSON string literal, quotes included: `"` and `\` escaped, \b \f \n \r \t in their
// short forms, the other control characters (below 0x20) as \u00XX. Every other byte is copied as it is: valid
// UTF-8 stays valid, and invalid UTF-8 is passed through unchanged (the callers' strings are validated where
// they enter: protobuf strings, simdjson-parsed events, YAML rule files).
void AppendJsonString(absl::string_view s, std::string* out);

// As AppendJsonString, but ASCII only, as Python's json.dumps (ensure_ascii=True) writes it: every non-ASCII
// code point as \uXXXX (above U+FFFF, a UTF-16 surrogate pair); each byte of an invalid UTF-8 sequence as
// \ufffd (the replacement character).
void AppendAsciiJsonString(absl::string_view s, std::string* out);

}  // namespace detect

#endif  // DETECT_COMMON_JSON_ESCAPE_H_
