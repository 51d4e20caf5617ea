// OTLP log bodies to event JSON.
#include "server/ingest/otlp_event.h"

#include <cmath>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/json_escape.h"
#include "server/log.h"

namespace detect::server {
namespace {

using opentelemetry::proto::common::v1::AnyValue;
using opentelemetry::proto::common::v1::KeyValueList;

absl::Status AppendMapJson(const KeyValueList& map, int depth, std::string* out) {
  // The last of duplicate keys wins, as in a JSON parser that keeps the last.
  absl::flat_hash_map<absl::string_view, int> last;
  if (map.values_size() > 1) {
    for (int i = 0; i < map.values_size(); ++i) last[map.values(i).key()] = i;
  }
  out->push_back('{');
  bool first = true;
  for (int i = 0; i < map.values_size(); ++i) {
    if (!last.empty() && last[map.values(i).key()] != i) continue;
    if (!first) out->push_back(',');
    first = false;
    AppendJsonString(map.values(i).key(), out);
    out->push_back(':');
    if (absl::Status s = AppendAnyValueJson(map.values(i).value(), depth + 1, out); !s.ok()) return s;
  }
  out->push_back('}');
  return absl::OkStatus();
}

}  // namespace

std::string OtlpClusterName(const opentelemetry::proto::resource::v1::Resource& resource) {
  for (const auto& kv : resource.attributes()) {
    if (kv.key() == kOtlpClusterAttribute && kv.value().has_string_value()) return kv.value().string_value();
  }
  return "";
}

absl::Status AppendAnyValueJson(const AnyValue& value, int depth, std::string* out) {
  if (depth > kOtlpMaxBodyDepth) {
    return absl::InvalidArgumentError(absl::StrCat("body nested deeper than ", kOtlpMaxBodyDepth, " levels"));
  }
  switch (value.value_case()) {
    case AnyValue::kStringValue: AppendJsonString(value.string_value(), out); break;
    case AnyValue::kBoolValue: out->append(value.bool_value() ? "true" : "false"); break;
    case AnyValue::kIntValue: absl::StrAppend(out, value.int_value()); break;
    case AnyValue::kDoubleValue:
      if (std::isfinite(value.double_value())) {
        absl::StrAppendFormat(out, "%.17g", value.double_value());
      } else {
        out->append("null");
      }
      break;
    case AnyValue::kBytesValue: AppendJsonString(absl::Base64Escape(value.bytes_value()), out); break;
    case AnyValue::kArrayValue: {
      out->push_back('[');
      for (int i = 0; i < value.array_value().values_size(); ++i) {
        if (i > 0) out->push_back(',');
        if (absl::Status s = AppendAnyValueJson(value.array_value().values(i), depth + 1, out); !s.ok()) return s;
      }
      out->push_back(']');
      break;
    }
    case AnyValue::kKvlistValue: return AppendMapJson(value.kvlist_value(), depth, out);
    case AnyValue::VALUE_NOT_SET: out->append("null"); break;
  }
  return absl::OkStatus();
}

absl::StatusOr<absl::string_view> OtlpEventJson(const AnyValue& body, absl::string_view source_label,
                                                std::string* out) {
  out->clear();
  switch (body.value_case()) {
    case AnyValue::kStringValue: {
      const absl::string_view text = body.string_value();
      const absl::string_view trimmed = absl::StripLeadingAsciiWhitespace(text);
      if (trimmed.empty() || trimmed.front() != '{') {
        return absl::InvalidArgumentError("string body is not a JSON object (the audit event)");
      }
      if (source_label.empty() || text.find("\"p_source_label\"") != absl::string_view::npos) return text;
      out->reserve(text.size() + source_label.size() + 24);
      out->append("{\"p_source_label\":");
      AppendJsonString(source_label, out);
      // The object's members follow, unless it is empty ("{}", maybe with blanks inside).
      const absl::string_view rest = trimmed.substr(1);
      const absl::string_view inner = absl::StripLeadingAsciiWhitespace(rest);
      if (!inner.empty() && inner.front() != '}') out->push_back(',');
      out->append(rest.data(), rest.size());
      return absl::string_view(*out);
    }
    case AnyValue::kKvlistValue: {
      if (absl::Status s = AppendAnyValueJson(body, 0, out); !s.ok()) return s;
      bool has_label = false;
      for (const auto& kv : body.kvlist_value().values()) has_label = has_label || kv.key() == "p_source_label";
      if (!source_label.empty() && !has_label) {
        std::string label = "\"p_source_label\":";
        AppendJsonString(source_label, &label);
        if (out->size() > 2) label.push_back(',');
        out->insert(1, label);
      }
      return absl::string_view(*out);
    }
    case AnyValue::VALUE_NOT_SET: return absl::InvalidArgumentError("log record has no body");
    default:
      return absl::InvalidArgumentError("body is neither a JSON object string nor a kvlist map (the audit event)");
  }
}

}  // namespace detect::server
