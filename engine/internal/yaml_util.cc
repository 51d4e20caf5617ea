// YAML 1.2 scalar typing and YAML-to-JSON conversion.
#include "engine/internal/yaml_util.h"

#include <cmath>
#include <cstdio>
#include <limits>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
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

void AppendJsonString(absl::string_view s, std::string& out) {
  out.push_back('"');
  for (unsigned char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      default:
        if (c < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof(buf), "\\u%04x", c);
          out += buf;
        } else {
          out.push_back(static_cast<char>(c));
        }
    }
  }
  out.push_back('"');
}

void AppendYamlAsJson(const YAML::Node& node, std::string& out) {
  if (node.IsMap()) {
    out.push_back('{');
    bool first = true;
    for (const auto& kv : node) {
      if (!first) out.push_back(',');
      first = false;
      AppendJsonString(kv.first.Scalar(), out);
      out.push_back(':');
      AppendYamlAsJson(kv.second, out);
    }
    out.push_back('}');
    return;
  }
  if (node.IsSequence()) {
    out.push_back('[');
    bool first = true;
    for (const auto& e : node) {
      if (!first) out.push_back(',');
      first = false;
      AppendYamlAsJson(e, out);
    }
    out.push_back(']');
    return;
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
    case ValueKind::kString: AppendJsonString(lit.s, out); break;
    default: out += "null";
  }
}

}  // namespace detect::engine_internal
