// Canonical JSON writing (see canonical_json.h).
#include "client/canonical_json.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "client/match_format.h"
#include "common/json_escape.h"

namespace detect::client {

void AppendCanonicalNumber(double value, std::string& out) {
  if (std::isfinite(value) && std::trunc(value) == value && std::fabs(value) <= 9007199254740992.0) {
    absl::StrAppend(&out, static_cast<int64_t>(value));
    return;
  }
  if (!std::isfinite(value)) {  // Not JSON; json.dumps writes these names.
    out += std::isnan(value) ? "NaN" : (value > 0 ? "Infinity" : "-Infinity");
    return;
  }
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%.15g", value);
  if (std::strtod(buf, nullptr) != value) std::snprintf(buf, sizeof(buf), "%.17g", value);
  out += buf;
}

void AppendCanonicalJson(simdjson::dom::element element, std::string& out) {
  using simdjson::dom::element_type;
  switch (element.type()) {
    case element_type::OBJECT: {
      std::vector<std::pair<std::string_view, simdjson::dom::element>> fields;
      const simdjson::dom::object object = element.get_object().value_unsafe();  // A local: range-for below.
      for (auto field : object) fields.emplace_back(field.key, field.value);
      std::stable_sort(fields.begin(), fields.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
      out += "{";
      for (size_t i = 0; i < fields.size(); ++i) {
        if (i > 0) out += ", ";
        AppendAsciiJsonString(absl::string_view(fields[i].first.data(), fields[i].first.size()), &out);
        out += ": ";
        AppendCanonicalJson(fields[i].second, out);
      }
      out += "}";
      return;
    }
    case element_type::ARRAY: {
      out += "[";
      bool first = true;
      const simdjson::dom::array array = element.get_array().value_unsafe();  // A local: range-for below.
      for (simdjson::dom::element e : array) {
        if (!first) out += ", ";
        first = false;
        AppendCanonicalJson(e, out);
      }
      out += "]";
      return;
    }
    case element_type::STRING: {
      const std::string_view s = element.get_string().value_unsafe();
      AppendAsciiJsonString(absl::string_view(s.data(), s.size()), &out);
      return;
    }
    case element_type::INT64: AppendCanonicalNumber(static_cast<double>(element.get_int64().value_unsafe()), out);
      return;
    case element_type::UINT64: AppendCanonicalNumber(static_cast<double>(element.get_uint64().value_unsafe()), out);
      return;
    case element_type::DOUBLE: AppendCanonicalNumber(element.get_double().value_unsafe(), out); return;
    case element_type::BOOL: out += element.get_bool().value_unsafe() ? "true" : "false"; return;
    case element_type::NULL_VALUE: out += "null"; return;
  }
}

std::string CanonicalJson(absl::string_view json) {
  thread_local simdjson::dom::parser parser;  // One per thread, reused: matches are many.
  simdjson::dom::element element;
  std::string out;
  if (parser.parse(json.data(), json.size()).get(element)) {
    AppendAsciiJsonString(json, &out);
    return out;
  }
  AppendCanonicalJson(element, out);
  return out;
}

}  // namespace detect::client
