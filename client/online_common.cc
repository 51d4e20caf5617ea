// Event encoding and result printing for the online subcommands.
#include "client/online_common.h"

#include <unistd.h>

#include <cstdio>

#include "absl/strings/numbers.h"
#include "absl/strings/str_format.h"
#include "client/match_format.h"
#include "proto/audit_event_json.h"

namespace detect::client {
namespace {

constexpr auto kProgressAfter = std::chrono::seconds(2);

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

void EventEncoder::Encode(size_t position, std::string json, v1::Event* event) {
  event->set_id(std::to_string(position));
  if (!log_type_.empty()) event->set_log_type(log_type_);
  if (!raw_) {
    absl::Status s = AuditEventFromJson(json, event->mutable_audit_event());
    if (s.ok()) return;
    if (fallbacks_++ == 0) first_fallback_ = absl::StrFormat("event %d: %s", position, s.message());
  }
  event->set_json(std::move(json));
}

void EventEncoder::ReportFallbacks(absl::string_view command) const {
  if (fallbacks_ == 0) return;
  std::fprintf(stderr, "detectctl %.*s: %zu event(s) sent as raw JSON, not convertible to AuditEvent (first: %s)\n",
               static_cast<int>(command.size()), command.data(), fallbacks_, first_fallback_.c_str());
}

ResultPrinter::ResultPrinter(absl::string_view command, bool ndjson, bool progress)
    : command_(command), ndjson_(ndjson), progress_(progress), tty_(::isatty(STDERR_FILENO) != 0) {}

void ResultPrinter::Print(const v1::EvaluateResponse& response) {
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
    for (const v1::Match& m : r.matches()) {
      ++matches_;
      if (ndjson_) {
        out_ += FormatMatchNdjson(line, m.rule_id(), SeverityText(m.severity()), m.title(), m.dedup());
        continue;
      }
      if (!header_printed_) {
        header_printed_ = true;
        out_ += absl::StrFormat("%-8s %-8s %-45s %s\n", "LINE", "SEVERITY", "RULE_ID", "TITLE");
      }
      out_ += FormatMatchText(line, m.rule_id(), SeverityText(m.severity()), m.title());
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
  std::fprintf(stderr, "%s%zu events, %zu matches, %zu errors, %.0f events/s%s", tty_ ? "\r" : "", events_,
               matches_, errors_, events_ / seconds, tty_ ? "" : "\n");
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
