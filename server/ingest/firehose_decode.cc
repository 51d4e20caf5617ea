// Firehose request JSON -> base64 (absl) -> gzip (zlib, gzip_body.h) -> CloudWatch Logs subscription message
// (simdjson On-Demand) -> each audit event's JSON text, labelled.
#include "server/ingest/firehose_decode.h"

#include <simdjson.h>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "common/json_escape.h"
#include "server/ingest/event_splitter.h"
#include "server/ingest/gzip_body.h"
#include "server/log.h"

namespace detect::server {
namespace {

using simdjson::SUCCESS;
using simdjson::ondemand::array;
using simdjson::ondemand::document;
using simdjson::ondemand::object;
using simdjson::ondemand::parser;

constexpr absl::string_view kEksLogType = "Amazon.EKS.Audit";

absl::string_view View(std::string_view s) { return absl::string_view(s.data(), s.size()); }

// Which of p_source_label / p_log_type the event object has at its top level; false, false when it is not an
// object (the evaluator reports that event as an error later).
struct TopLevelLabels {
  bool is_object = false, source_label = false, log_type = false;
};

TopLevelLabels FindLabels(parser& p, const std::string& event) {
  TopLevelLabels found;
  document doc;
  object o;
  if (p.iterate(event.data(), event.size(), event.capacity()).get(doc) != SUCCESS ||
      doc.get_object().get(o) != SUCCESS) {
    return found;
  }
  for (auto field : o) {
    std::string_view key;
    if (field.unescaped_key().get(key) != SUCCESS) return TopLevelLabels{};
    if (key == "p_source_label") found.source_label = true;
    if (key == "p_log_type") found.log_type = true;
  }
  found.is_object = true;
  return found;
}

// `event` with the labels it lacks added as its first members.
std::string Labelled(std::string event, const TopLevelLabels& has, absl::string_view source_label,
                     absl::string_view log_type) {
  std::string prefix;
  if (!has.source_label && !source_label.empty()) {
    prefix += "\"p_source_label\":";
    AppendJsonString(source_label, &prefix);
  }
  if (!has.log_type && !log_type.empty()) {
    absl::StrAppend(&prefix, prefix.empty() ? "" : ",", "\"p_log_type\":");
    AppendJsonString(log_type, &prefix);
  }
  if (prefix.empty()) return event;
  absl::string_view rest = absl::StripLeadingAsciiWhitespace(event);
  rest.remove_prefix(1);  // '{' (FindLabels saw an object).
  std::string out = absl::StrCat("{", prefix, absl::StartsWith(absl::StripLeadingAsciiWhitespace(rest), "}") ? "" : ",",
                                 rest);
  return out;
}

}  // namespace

bool IsEksLogGroup(absl::string_view log_group) {
  return absl::ConsumePrefix(&log_group, "/aws/eks/") && absl::ConsumeSuffix(&log_group, "/cluster") &&
         !log_group.empty() && !absl::StrContains(log_group, '/');
}

std::string SourceLabelOfLogGroup(absl::string_view log_group) {
  if (!IsEksLogGroup(log_group)) return std::string(log_group);
  absl::ConsumePrefix(&log_group, "/aws/eks/");
  absl::ConsumeSuffix(&log_group, "/cluster");
  return std::string(log_group);
}

absl::StatusOr<FirehoseRequest> ParseFirehoseRequest(const std::string& body) {
  parser p;
  document doc;
  object root;
  if (body.capacity() < body.size() + kJsonPadding ||
      p.iterate(body.data(), body.size(), body.capacity()).get(doc) != SUCCESS ||
      doc.get_object().get(root) != SUCCESS) {
    return absl::InvalidArgumentError("body is not a Firehose request (a JSON object)");
  }
  FirehoseRequest out;
  bool has_records = false;
  for (auto field : root) {
    std::string_view key;
    if (field.unescaped_key().get(key) != SUCCESS) return absl::InvalidArgumentError("malformed JSON object");
    if (key == "requestId") {
      std::string_view id;
      if (field.value().get_string().get(id) != SUCCESS) {
        return absl::InvalidArgumentError("Firehose request \"requestId\" is not a string");
      }
      out.request_id = std::string(id);
    } else if (key == "timestamp") {
      int64_t ts = 0;
      if (field.value().get_int64().get(ts) == SUCCESS) out.timestamp_ms = ts;
    } else if (key == "records") {
      array records;
      if (field.value().get_array().get(records) != SUCCESS) {
        return absl::InvalidArgumentError("Firehose request \"records\" is not an array");
      }
      has_records = true;
      for (auto r : records) {
        const size_t index = out.records.size();
        object record;
        std::string_view data;
        if (r.get_object().get(record) != SUCCESS ||
            record.find_field_unordered("data").get_string().get(data) != SUCCESS) {
          return absl::InvalidArgumentError(absl::StrCat("record ", index, " has no \"data\" string"));
        }
        std::string decoded;
        if (!absl::Base64Unescape(View(data), &decoded)) {
          return absl::InvalidArgumentError(absl::StrCat("record ", index, ": data is not base64"));
        }
        out.records.push_back(std::move(decoded));
      }
    }
  }
  if (out.request_id.empty()) return absl::InvalidArgumentError("Firehose request has no \"requestId\"");
  if (!has_records) return absl::InvalidArgumentError("Firehose request has no \"records\" array");
  return out;
}

absl::StatusOr<CloudWatchMessage> DecodeCloudWatchRecord(absl::string_view gzipped, size_t max_bytes,
                                                         const FirehoseLabels& labels) {
  absl::StatusOr<std::string> text = Gunzip(gzipped, max_bytes, kJsonPadding);
  if (!text.ok()) {
    if (text.status().code() == absl::StatusCode::kResourceExhausted) {
      return absl::ResourceExhaustedError(
          absl::StrCat("decompressed record is over the limit of ", max_bytes, " bytes"));
    }
    return absl::InvalidArgumentError(
        absl::StrCat("data is not gzip (a CloudWatch Logs subscription message is): ", text.status().message()));
  }
  parser p;
  document doc;
  object root;
  if (p.iterate(text->data(), text->size(), text->capacity()).get(doc) != SUCCESS ||
      doc.get_object().get(root) != SUCCESS) {
    return absl::InvalidArgumentError("decompressed data is not a CloudWatch Logs subscription message (JSON)");
  }
  CloudWatchMessage out;
  std::string_view type;  // In the parser's string buffer, valid until its next iterate().
  array log_events;
  bool has_type = false, has_events = false;
  for (auto field : root) {
    std::string_view key, value;
    if (field.unescaped_key().get(key) != SUCCESS) return absl::InvalidArgumentError("malformed JSON object");
    if (key == "messageType") {
      if (field.value().get_string().get(type) != SUCCESS) {
        return absl::InvalidArgumentError("\"messageType\" is not a string");
      }
      has_type = true;
      if (type == "CONTROL_MESSAGE") {
        out.control = true;
        return out;
      }
    } else if (key == "logGroup" && field.value().get_string().get(value) == SUCCESS) {
      out.log_group = std::string(value);
    } else if (key == "logStream" && field.value().get_string().get(value) == SUCCESS) {
      out.log_stream = std::string(value);
    } else if (key == "logEvents") {
      if (field.value().get_array().get(log_events) != SUCCESS) {
        return absl::InvalidArgumentError("\"logEvents\" is not an array");
      }
      has_events = true;
      for (auto e : log_events) {
        object event;
        std::string_view message;
        if (e.get_object().get(event) != SUCCESS ||
            event.find_field_unordered("message").get_string().get(message) != SUCCESS) {
          return absl::InvalidArgumentError("a logEvent has no \"message\" string");
        }
        std::string m(message);
        m.reserve(m.size() + kJsonPadding);
        out.events.push_back(std::move(m));
      }
    }
  }
  if (!has_type) return absl::InvalidArgumentError("not a CloudWatch Logs subscription message (no \"messageType\")");
  if (type != "DATA_MESSAGE") {
    return absl::InvalidArgumentError(absl::StrCat("messageType \"", View(type), "\" is not DATA_MESSAGE"));
  }
  if (!has_events) return absl::InvalidArgumentError("DATA_MESSAGE has no \"logEvents\" array");
  const std::string source_label =
      labels.source_label.empty() ? SourceLabelOfLogGroup(out.log_group) : labels.source_label;
  const std::string log_type =
      !labels.log_type.empty() ? labels.log_type : IsEksLogGroup(out.log_group) ? std::string(kEksLogType) : "";
  parser event_parser;
  for (std::string& event : out.events) {
    const TopLevelLabels has = FindLabels(event_parser, event);
    if (has.is_object) event = Labelled(std::move(event), has, source_label, log_type);
  }
  return out;
}

std::string FirehoseReplyBody(absl::string_view request_id, int64_t timestamp_ms, absl::string_view error) {
  std::string body = "{\"requestId\":";
  AppendJsonString(request_id, &body);
  absl::StrAppend(&body, ",\"timestamp\":", timestamp_ms);
  if (!error.empty()) {
    body += ",\"errorMessage\":";
    AppendJsonString(absl::StripAsciiWhitespace(error), &body);
  }
  body += "}";
  return body;
}

}  // namespace detect::server
