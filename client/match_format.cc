// Formatting of match lines.
#include "client/match_format.h"

#include <cstdio>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace detect::client {
namespace {

void AppendEscape(uint32_t unit, std::string& out) {
  char buf[8];
  std::snprintf(buf, sizeof(buf), "\\u%04x", unit);
  out += buf;
}

// Decodes one UTF-8 sequence at s[i]; returns its length, or 0 when invalid.
size_t DecodeUtf8(absl::string_view s, size_t i, uint32_t* cp) {
  const unsigned char c = s[i];
  size_t len = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 0;
  if (len == 0 || i + len > s.size()) return 0;
  *cp = c & (0x7F >> len);
  for (size_t k = 1; k < len; ++k) {
    const unsigned char cc = s[i + k];
    if ((cc & 0xC0) != 0x80) return 0;
    *cp = (*cp << 6) | (cc & 0x3F);
  }
  return len;
}

}  // namespace

void AppendAsciiJsonString(absl::string_view s, std::string& out) {
  out.push_back('"');
  for (size_t i = 0; i < s.size();) {
    const unsigned char c = s[i];
    if (c < 0x80) {
      switch (c) {
        case '"': out += "\\\""; break;
        case '\\': out += "\\\\"; break;
        case '\n': out += "\\n"; break;
        case '\r': out += "\\r"; break;
        case '\t': out += "\\t"; break;
        case '\b': out += "\\b"; break;
        case '\f': out += "\\f"; break;
        default:
          if (c < 0x20) AppendEscape(c, out); else out.push_back(static_cast<char>(c));
      }
      ++i;
      continue;
    }
    uint32_t cp = 0;
    const size_t len = DecodeUtf8(s, i, &cp);
    if (len == 0) {  // Invalid UTF-8: escape the byte as a replacement character.
      AppendEscape(0xFFFD, out);
      ++i;
      continue;
    }
    if (cp >= 0x10000) {
      cp -= 0x10000;
      AppendEscape(0xD800 + (cp >> 10), out);
      AppendEscape(0xDC00 + (cp & 0x3FF), out);
    } else {
      AppendEscape(cp, out);
    }
    i += len;
  }
  out.push_back('"');
}

std::string FormatMatchNdjson(size_t line, absl::string_view rule_id, absl::string_view severity,
                              absl::string_view title, absl::string_view dedup) {
  std::string out = absl::StrCat("{\"line\": ", line, ", \"rule_id\": ");
  AppendAsciiJsonString(rule_id, out);
  out += ", \"severity\": ";
  AppendAsciiJsonString(severity, out);
  out += ", \"title\": ";
  AppendAsciiJsonString(title, out);
  out += ", \"dedup\": ";
  AppendAsciiJsonString(dedup, out);
  out += "}\n";
  return out;
}

std::string FormatMatchText(size_t line, absl::string_view rule_id, absl::string_view severity,
                            absl::string_view title) {
  return absl::StrFormat("%-8d %-8s %-45s %s\n", line, severity, rule_id, title);
}

}  // namespace detect::client
