// YAML 1.2 scalar typing and YAML-to-JSON conversion.
#include "engine/internal/yaml_util.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/json_escape.h"
#include "re2/re2.h"

namespace detect::engine_internal {
namespace {

bool IsNullText(absl::string_view s) { return s.empty() || s == "~" || s == "null" || s == "Null" || s == "NULL"; }

bool ParseIntText(absl::string_view s, int64_t* out) {
  static const RE2 kDecimal("[-+]?[0-9]+");
  static const RE2 kOctal("0o[0-7]+");
  static const RE2 kHex("0x[0-9a-fA-F]+");
  re2::StringPiece sp(s.data(), s.size());
  if (RE2::FullMatch(sp, kDecimal)) {
    absl::string_view digits = s;
    if (!digits.empty() && digits[0] == '+') digits.remove_prefix(1);
    return absl::SimpleAtoi(digits, out);
  }
  if (RE2::FullMatch(sp, kOctal)) return absl::numbers_internal::safe_strto64_base(s.substr(2), out, 8);
  if (RE2::FullMatch(sp, kHex)) return absl::numbers_internal::safe_strto64_base(s.substr(2), out, 16);
  return false;
}

bool ParseFloatText(absl::string_view s, double* out) {
  static const RE2 kFloat("[-+]?(\\.[0-9]+|[0-9]+(\\.[0-9]*)?)([eE][-+]?[0-9]+)?");
  static const RE2 kInf("[-+]?\\.(inf|Inf|INF)");
  static const RE2 kNan("\\.(nan|NaN|NAN)");
  re2::StringPiece sp(s.data(), s.size());
  if (RE2::FullMatch(sp, kInf)) {
    *out = s[0] == '-' ? -std::numeric_limits<double>::infinity() : std::numeric_limits<double>::infinity();
    return true;
  }
  if (RE2::FullMatch(sp, kNan)) {
    *out = std::nan("");
    return true;
  }
  return RE2::FullMatch(sp, kFloat) && absl::SimpleAtod(s, out);
}

}  // namespace

Literal ScalarToLiteral(const YAML::Node& node) {
  Literal lit;
  if (node.IsNull()) return lit;  // kNull
  const std::string& text = node.Scalar();
  const std::string& tag = node.Tag();
  lit.kind = ValueKind::kString;
  lit.s = text;
  if (tag == "!" || tag == "tag:yaml.org,2002:str") return lit;  // Quoted or explicitly a string.
  if (IsNullText(text)) {
    lit.kind = ValueKind::kNull;
    lit.s.clear();
  } else if (text == "true" || text == "True" || text == "TRUE" || text == "false" || text == "False" ||
             text == "FALSE") {
    lit.kind = ValueKind::kBool;
    lit.b = text[0] == 't' || text[0] == 'T';
  } else if (ParseIntText(text, &lit.i)) {
    lit.kind = ValueKind::kInt;
  } else if (ParseFloatText(text, &lit.d)) {
    lit.kind = ValueKind::kDouble;
  }
  return lit;
}

SourceLocation LocationOf(const YAML::Node& node, const std::string& file) {
  SourceLocation loc;
  loc.file = file;
  const YAML::Mark mark = node.Mark();
  if (mark.line >= 0) {
    loc.line = mark.line + 1;
    loc.column = mark.column + 1;
  }
  return loc;
}

bool AppendYamlAsJson(const YAML::Node& node, std::string& out, size_t max_bytes) {
  if (out.size() > max_bytes) return false;
  if (node.IsMap()) {
    out.push_back('{');
    bool first = true;
    for (const auto& kv : node) {
      if (!first) out.push_back(',');
      first = false;
      AppendJsonString(kv.first.Scalar(), &out);
      out.push_back(':');
      if (!AppendYamlAsJson(kv.second, out, max_bytes)) return false;
    }
    out.push_back('}');
    return out.size() <= max_bytes;
  }
  if (node.IsSequence()) {
    out.push_back('[');
    bool first = true;
    for (const auto& e : node) {
      if (!first) out.push_back(',');
      first = false;
      if (!AppendYamlAsJson(e, out, max_bytes)) return false;
    }
    out.push_back(']');
    return out.size() <= max_bytes;
  }
  const Literal lit = ScalarToLiteral(node);
  switch (lit.kind) {
    case ValueKind::kBool: out += lit.b ? "true" : "false"; break;
    case ValueKind::kInt: absl::StrAppend(&out, lit.i); break;
    case ValueKind::kDouble:
      if (std::isfinite(lit.d)) {
        char buf[32];
        std::snprintf(buf, sizeof(buf), "%.17g", lit.d);
        out += buf;
      } else {
        out += "null";  // JSON has no infinities.
      }
      break;
    case ValueKind::kString: AppendJsonString(lit.s, &out); break;
    default: out += "null";
  }
  return out.size() <= max_bytes;
}

namespace {

// Length of the UTF-8 sequence at s[i] (1..4), or 0 when it is not valid UTF-8 (overlongs and surrogates
// included).
size_t Utf8SequenceLength(absl::string_view s, size_t i) {
  const unsigned char c = s[i];
  if (c < 0x80) return 1;
  size_t len;
  uint32_t cp;
  if ((c & 0xE0) == 0xC0) {
    len = 2, cp = c & 0x1F;
  } else if ((c & 0xF0) == 0xE0) {
    len = 3, cp = c & 0x0F;
  } else if ((c & 0xF8) == 0xF0) {
    len = 4, cp = c & 0x07;
  } else {
    return 0;
  }
  if (i + len > s.size()) return 0;
  for (size_t k = 1; k < len; ++k) {
    const unsigned char cc = s[i + k];
    if ((cc & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (cc & 0x3F);
  }
  static constexpr uint32_t kMin[] = {0, 0, 0x80, 0x800, 0x10000};
  if (cp < kMin[len] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
  return len;
}

}  // namespace

std::string CheckYamlText(absl::string_view text, int max_depth, int* line, int* column) {
  *line = 1;
  *column = 1;
  int depth = 0;
  char quote = 0;
  bool comment = false;
  for (size_t i = 0; i < text.size();) {
    const char c = text[i];
    const size_t len = Utf8SequenceLength(text, i);
    if (len == 0) return "invalid YAML: the text is not valid UTF-8";
    if (c == '\n') {
      ++*line;
      *column = 1;
      comment = false;
      i += 1;
      // Block nesting shows as indentation.
      size_t indent = 0;
      while (i + indent < text.size() && text[i + indent] == ' ') ++indent;
      if (static_cast<int>(indent) > 2 * max_depth) {
        *column = static_cast<int>(indent) + 1;
        return absl::StrCat("invalid YAML: nested deeper than ", max_depth, " levels");
      }
      continue;
    }
    if (!comment) {
      if (quote != 0) {
        if (c == quote) quote = 0;
      } else if (c == '"' || c == '\'') {
        quote = c;
      } else if (c == '#') {
        comment = true;
      } else if (c == '[' || c == '{') {
        if (++depth > max_depth) return absl::StrCat("invalid YAML: nested deeper than ", max_depth, " levels");
      } else if (c == ']' || c == '}') {
        depth = std::max(0, depth - 1);
      }
    }
    ++*column;
    i += len;
  }
  return "";
}

}  // namespace detect::engine_internal
