// The JSON string escaper (common/json_escape.h).
#include "common/json_escape.h"

#include <cstdint>

namespace detect {
namespace {

constexpr char kHex[] = "0123456789abcdef";

// \uXXXX for one UTF-16 code unit.
void AppendUnicodeEscape(uint32_t unit, std::string* out) {
  const char escape[6] = {'\\', 'u', kHex[(unit >> 12) & 0xF], kHex[(unit >> 8) & 0xF], kHex[(unit >> 4) & 0xF],
                          kHex[unit & 0xF]};
  out->append(escape, sizeof(escape));
}

// Appends one ASCII byte, escaped as JSON requires.
void AppendAsciiByte(unsigned char c, std::string* out) {
  switch (c) {
    case '"': out->append("\\\""); return;
    case '\\': out->append("\\\\"); return;
    case '\b': out->append("\\b"); return;
    case '\f': out->append("\\f"); return;
    case '\n': out->append("\\n"); return;
    case '\r': out->append("\\r"); return;
    case '\t': out->append("\\t"); return;
    default:
      if (c < 0x20) {
        AppendUnicodeEscape(c, out);
      } else {
        out->push_back(static_cast<char>(c));
      }
  }
}

// Whether `c` needs no escape in either form.
bool Plain(unsigned char c) { return c >= 0x20 && c != '"' && c != '\\' && c < 0x80; }

// Decodes one UTF-8 sequence at s[i]; returns its length, or 0 when invalid (a bad lead or continuation byte,
// or a sequence cut short).
size_t DecodeUtf8(absl::string_view s, size_t i, uint32_t* cp) {
  const unsigned char c = s[i];
  const size_t len = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 0;
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

void AppendJsonString(absl::string_view s, std::string* out) {
  out->reserve(out->size() + s.size() + 2);
  out->push_back('"');
  size_t run = 0;  // Bytes copied as they are, appended in one go.
  for (size_t i = 0; i < s.size(); ++i) {
    const unsigned char c = s[i];
    if (Plain(c) || c >= 0x80) continue;
    out->append(s.data() + run, i - run);
    AppendAsciiByte(c, out);
    run = i + 1;
  }
  out->append(s.data() + run, s.size() - run);
  out->push_back('"');
}

void AppendAsciiJsonString(absl::string_view s, std::string* out) {
  out->push_back('"');
  for (size_t i = 0; i < s.size();) {
    const unsigned char c = s[i];
    if (c < 0x80) {
      AppendAsciiByte(c, out);
      ++i;
      continue;
    }
    uint32_t cp = 0;
    const size_t len = DecodeUtf8(s, i, &cp);
    if (len == 0) {  // Invalid UTF-8: the byte reads as the replacement character.
      AppendUnicodeEscape(0xFFFD, out);
      ++i;
      continue;
    }
    if (cp >= 0x10000) {
      cp -= 0x10000;
      AppendUnicodeEscape(0xD800 + (cp >> 10), out);
      AppendUnicodeEscape(0xDC00 + (cp & 0x3FF), out);
    } else {
      AppendUnicodeEscape(cp, out);
    }
    i += len;
  }
  out->push_back('"');
}

}  // namespace detect
