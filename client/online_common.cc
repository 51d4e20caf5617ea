// Event encoding and result printing for the online subcommands.
#include "client/online_common.h"

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_replace.h"
#include "common/json_escape.h"
#include "google/protobuf/util/json_util.h"
#include "client/canonical_json.h"
#include "client/flags.h"
#include "proto/audit_event_json.h"

namespace detect::client {
namespace {

constexpr auto kProgressAfter = std::chrono::seconds(2);

void AppendCanonical(const google::protobuf::Value& v, std::string& out);

void AppendCanonical(const google::protobuf::Struct& s, std::string& out) {
  std::vector<const std::string*> keys;
  for (const auto& [key, value] : s.fields()) keys.push_back(&key);
  std::sort(keys.begin(), keys.end(), [](const std::string* a, const std::string* b) { return *a < *b; });
  out += "{";
  for (size_t i = 0; i < keys.size(); ++i) {
    if (i > 0) out += ", ";
    AppendAsciiJsonString(*keys[i], &out);
    out += ": ";
    AppendCanonical(s.fields().at(*keys[i]), out);
  }
  out += "}";
}

void AppendCanonical(const google::protobuf::Value& v, std::string& out) {
  switch (v.kind_case()) {
    case google::protobuf::Value::kNumberValue: AppendCanonicalNumber(v.number_value(), out); return;
    case google::protobuf::Value::kStringValue: AppendAsciiJsonString(v.string_value(), &out); return;
    case google::protobuf::Value::kBoolValue: out += v.bool_value() ? "true" : "false"; return;
    case google::protobuf::Value::kStructValue: AppendCanonical(v.struct_value(), out); return;
    case google::protobuf::Value::kListValue: {
      out += "[";
      for (int i = 0; i < v.list_value().values_size(); ++i) {
        if (i > 0) out += ", ";
        AppendCanonical(v.list_value().values(i), out);
      }
      out += "]";
      return;
    }
    default: out += "null"; return;
  }
}

}  // namespace

absl::string_view SeverityText(v1::Severity severity) {
  switch (severity) {
    case v1::SEVERITY_INFO: return "Info";
    case v1::SEVERITY_LOW: return "Low";
    case v1::SEVERITY_MEDIUM: return "Medium";
    case v1::SEVERITY_HIGH: return "High";
    case v1::SEVERITY_CRITICAL: return "Critical";
    default: return "";
  }
}

std::string ProtoJson(const google::protobuf::Message& message) {
  google::protobuf::util::JsonPrintOptions options;
  options.preserve_proto_field_names = true;
  options.always_print_primitive_fields = true;
  std::string json;
  (void)google::protobuf::util::MessageToJsonString(message, &json, options);
  // Enum values print by name; severity is the only enum detectctl shows.
  for (int s = v1::Severity_MIN; s <= v1::Severity_MAX; ++s) {
    if (!v1::Severity_IsValid(s)) continue;
    const std::string from = absl::StrCat("\"", v1::Severity_Name(static_cast<v1::Severity>(s)), "\"");
    const std::string to = absl::StrCat("\"", SeverityText(static_cast<v1::Severity>(s)), "\"");
    json = absl::StrReplaceAll(json, {{from, to}});
  }
  return json;
}

bool SendRawFromFlags(absl::string_view command, bool* raw) {
  if (absl::GetFlag(FLAGS_raw) && absl::GetFlag(FLAGS_typed)) {
    std::fprintf(stderr, "detectctl %.*s: --raw and --typed exclude each other\n", static_cast<int>(command.size()),
                 command.data());
    return false;
  }
  *raw = !absl::GetFlag(FLAGS_typed);
  return true;
}

void AuditIds::Add(size_t position, std::string id) {
  absl::MutexLock lock(&mu_);
  while (first_ + ids_.size() < position) ids_.emplace_back();
  if (position >= first_) ids_.push_back(std::move(id));
}

std::string AuditIds::Get(size_t position) {
  absl::MutexLock lock(&mu_);
  while (!ids_.empty() && first_ < position) {
    ids_.pop_front();
    ++first_;
  }
  return position == first_ && !ids_.empty() ? ids_.front() : "";
}

std::string EventEncoder::AuditIdOf(const std::string& json) {
  simdjson::dom::element doc;
  std::string_view id;
  if (parser_.parse(json).get(doc) || doc["auditID"].get(id)) return "";
  return std::string(id);
}

void EventEncoder::Encode(size_t position, std::string json, v1::Event* event) {
  event->set_id(std::to_string(position));
  if (!log_type_.empty()) event->set_log_type(log_type_);
  if (!raw_) {
    absl::Status s = AuditEventFromJson(json, event->mutable_audit_event());
    if (s.ok()) {
      if (audit_ids_ != nullptr) audit_ids_->Add(position, event->audit_event().audit_id());
      return;
    }
    event->clear_audit_event();
    if (fallbacks_++ == 0) first_fallback_ = absl::StrFormat("event %d: %s", position, s.message());
  }
  if (audit_ids_ != nullptr) audit_ids_->Add(position, AuditIdOf(json));
  event->set_json(std::move(json));
}

void EventEncoder::ReportFallbacks(absl::string_view command) const {
  if (fallbacks_ == 0) return;
  std::fprintf(stderr, "detectctl %.*s: %s sent as raw JSON, not convertible to AuditEvent (first: %s)\n",
               static_cast<int>(command.size()), command.data(), Plural(fallbacks_, "event").c_str(),
               first_fallback_.c_str());
}

ResultPrinter::ResultPrinter(absl::string_view command, bool ndjson, bool progress, MatchFields fields,
                             AuditIds* audit_ids)
    : command_(command),
      ndjson_(ndjson),
      progress_(progress),
      tty_(::isatty(STDERR_FILENO) != 0),
      fields_(std::move(fields)),
      audit_ids_(audit_ids) {}

void ResultPrinter::Print(const v1::EvaluateResponse& response) {
  MatchRecord record;
  for (const v1::EventResult& r : response.results()) {
    ++events_;
    size_t line = 0;
    if (!absl::SimpleAtoi(r.event_id(), &line)) line = events_;
    if (r.has_error()) {
      ++errors_;
      std::fprintf(stderr, "line %zu: %s\n", line, r.error().message().c_str());
    }
    for (const v1::RuleError& e : r.rule_errors()) {
      ++errors_;
      std::fprintf(stderr, "line %zu: rule %s: %s\n", line, e.rule_id().c_str(), e.message().c_str());
    }
    const std::string audit_id = audit_ids_ != nullptr ? audit_ids_->Get(line) : "";
    for (const v1::Match& m : r.matches()) {
      ++matches_;
      if (!ndjson_) {
        if (!header_printed_) {
          header_printed_ = true;
          out_ += MatchTableHeader();
        }
        out_ += FormatMatchText(line, m.rule_id(), SeverityText(m.severity()), m.title());
        continue;
      }
      record.line = line;
      record.audit_id = audit_id;
      record.rule_id = m.rule_id();
      record.severity = std::string(SeverityText(m.severity()));
      record.title = m.title();
      record.dedup = m.dedup();
      record.summary_json = "{";
      for (const v1::SummaryAttribute& a : m.summary_attributes()) {
        if (record.summary_json.size() > 1) record.summary_json += ", ";
        AppendAsciiJsonString(a.name(), &record.summary_json);
        record.summary_json += ": ";
        AppendCanonical(a.value(), record.summary_json);
      }
      record.summary_json += "}";
      record.alert_context_json.clear();
      AppendCanonical(m.alert_context(), record.alert_context_json);
      out_ += FormatMatchNdjson(record, fields_);
    }
  }
  if (out_.size() > (1 << 16)) {
    std::fwrite(out_.data(), 1, out_.size(), stdout);
    out_.clear();
  }
  MaybeProgress();
}

void ResultPrinter::MaybeProgress() {
  if (!progress_) return;
  const auto now = std::chrono::steady_clock::now();
  const auto every = tty_ ? std::chrono::milliseconds(500) : std::chrono::milliseconds(10000);
  if (now - start_ < kProgressAfter || now - last_progress_ < every) return;
  last_progress_ = now;
  const double seconds = std::chrono::duration<double>(now - start_).count();
  std::fprintf(stderr, "%s%s, %s, %s, %.0f events/s%s", tty_ ? "\r" : "", Plural(events_, "event").c_str(),
               Plural(matches_, "match", "matches").c_str(), Plural(errors_, "error").c_str(), events_ / seconds,
               tty_ ? "" : "\n");
  progress_shown_ = true;
}

int ResultPrinter::Finish() {
  std::fwrite(out_.data(), 1, out_.size(), stdout);
  out_.clear();
  std::fflush(stdout);
  if (progress_shown_ && tty_) std::fputc('\n', stderr);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  std::fprintf(stderr, "events=%zu matches=%zu errors=%zu seconds=%.3f events_per_second=%.0f\n", events_, matches_,
               errors_, seconds, seconds > 0 ? events_ / seconds : 0.0);
  return errors_ == 0 ? 0 : 1;
}

}  // namespace detect::client
