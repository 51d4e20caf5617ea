// Python-str and JSON rendering of Values.
#include "engine/internal/value_text.h"

#include <charconv>
#include <cmath>

#include "absl/strings/str_cat.h"
#include "common/json_escape.h"
#include "engine/internal/yaml_util.h"

namespace detect::engine_internal {
namespace {

void AppendPythonRepr(const Value& v, std::string& out);

void AppendPythonStringRepr(absl::string_view s, std::string& out) {
  const bool use_double = s.find('\'') != absl::string_view::npos && s.find('"') == absl::string_view::npos;
  const char quote = use_double ? '"' : '\'';
  out.push_back(quote);
  for (char c : s) {
    if (c == quote || c == '\\') out.push_back('\\');
    if (c == '\n') {
      out += "\\n";
    } else if (c == '\t') {
      out += "\\t";
    } else if (c == '\r') {
      out += "\\r";
    } else {
      out.push_back(c);
    }
  }
  out.push_back(quote);
}

void AppendContainerRepr(const Value& v, std::string& out) {
  bool first = true;
  if (v.is_list()) {
    out.push_back('[');
    v.ForEachElement([&](const Value& e) {
      if (!first) out += ", ";
      first = false;
      AppendPythonRepr(e, out);
      return true;
    });
    out.push_back(']');
    return;
  }
  out.push_back('{');
  v.ForEachMember([&](absl::string_view key, const Value& e) {
    if (!first) out += ", ";
    first = false;
    AppendPythonStringRepr(key, out);
    out += ": ";
    AppendPythonRepr(e, out);
    return true;
  });
  out.push_back('}');
}

void AppendPythonRepr(const Value& v, std::string& out) {
  if (v.is_string()) {
    AppendPythonStringRepr(v.string_value(), out);
  } else {
    AppendPythonStr(v, out);
  }
}

}  // namespace

void AppendPythonFloat(double d, std::string& out) {
  if (std::isnan(d)) {
    out += "nan";
    return;
  }
  if (std::isinf(d)) {
    out += d < 0 ? "-inf" : "inf";
    return;
  }
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), d);
  absl::string_view text(buf, end - buf);
  out.append(text.data(), text.size());
  if (text.find_first_of(".e") == absl::string_view::npos) out += ".0";
}

void AppendPythonStr(const Value& v, std::string& out) {
  switch (v.kind()) {
    case ValueKind::kMissing:
    case ValueKind::kNull: out += "None"; break;
    case ValueKind::kBool: out += v.bool_value() ? "True" : "False"; break;
    case ValueKind::kInt: absl::StrAppend(&out, v.int_value()); break;
    case ValueKind::kDouble: AppendPythonFloat(v.double_value(), out); break;
    case ValueKind::kString: out.append(v.string_value().data(), v.string_value().size()); break;
    case ValueKind::kList:
    case ValueKind::kObject: AppendContainerRepr(v, out); break;
  }
}

void AppendJson(const Value& v, std::string& out) {
  switch (v.kind()) {
    case ValueKind::kMissing:
    case ValueKind::kNull: out += "null"; break;
    case ValueKind::kBool: out += v.bool_value() ? "true" : "false"; break;
    case ValueKind::kInt: absl::StrAppend(&out, v.int_value()); break;
    case ValueKind::kDouble: {
      const double d = v.double_value();
      if (!std::isfinite(d)) {
        out += "null";
        break;
      }
      char buf[64];
      auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), d);
      out.append(buf, end - buf);
      break;
    }
    case ValueKind::kString: AppendJsonString(v.string_value(), &out); break;
    case ValueKind::kList: {
      out.push_back('[');
      bool first = true;
      v.ForEachElement([&](const Value& e) {
        if (!first) out.push_back(',');
        first = false;
        AppendJson(e, out);
        return true;
      });
      out.push_back(']');
      break;
    }
    case ValueKind::kObject: {
      out.push_back('{');
      bool first = true;
      v.ForEachMember([&](absl::string_view key, const Value& e) {
        if (!first) out.push_back(',');
        first = false;
        AppendJsonString(key, &out);
        out.push_back(':');
        AppendJson(e, out);
        return true;
      });
      out.push_back('}');
      break;
    }
  }
}

}  // namespace detect::engine_internal
