// Shared parts of `detectctl evaluate` and `stream`: turning input events into Events, and printing results
// in the same shapes as `detectctl eval` (client/match_format.h) with a summary and a progress line on stderr.
#ifndef DETECT_CLIENT_ONLINE_COMMON_H_
#define DETECT_CLIENT_ONLINE_COMMON_H_

#include <chrono>
#include <cstddef>
#include <deque>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "client/match_format.h"
#include "detect/v1/detect.pb.h"
#include "simdjson.h"

namespace detect::client {

// Panther's spelling of a severity ("Low"), "" for unspecified.
absl::string_view SeverityText(v1::Severity severity);

// A response as JSON in the one naming of detectctl's JSON outputs: snake_case field names (the proto's own),
// severities as rules write them ("High", not "SEVERITY_HIGH"), default values included.
std::string ProtoJson(const google::protobuf::Message& message);

// Raw JSON (the default: the server parses it with the engine's own parser) unless --typed; --raw --typed is
// an error (false, after printing why).
bool SendRawFromFlags(absl::string_view command, bool* raw);

// The auditIDs of the events sent, by position, until their results are printed. Thread-safe: a stream's
// writer thread adds, its reader thread takes.
class AuditIds {
 public:
  void Add(size_t position, std::string id);
  // The id of `position` ("" if none), forgetting every position before it.
  std::string Get(size_t position);

 private:
  absl::Mutex mu_;
  std::deque<std::string> ids_ ABSL_GUARDED_BY(mu_);
  size_t first_ ABSL_GUARDED_BY(mu_) = 1;  // Position of ids_.front().
};

// Fills Events from JSON text: raw JSON bytes, or (typed) an AuditEvent, falling back to raw JSON for text
// that does not convert (not JSON, or a modeled field of another type), so the server still answers it.
// Thread-compatible.
class EventEncoder {
 public:
  // `audit_ids`, when not null, receives each event's auditID (for NDJSON match lines).
  EventEncoder(bool raw, std::string log_type, AuditIds* audit_ids = nullptr)
      : raw_(raw), log_type_(std::move(log_type)), audit_ids_(audit_ids) {}
  // The event's id is its 1-based position in the input.
  void Encode(size_t position, std::string json, v1::Event* event);
  // Reports (once, on stderr) how many events went raw because they did not convert.
  void ReportFallbacks(absl::string_view command) const;

 private:
  std::string AuditIdOf(const std::string& json);

  const bool raw_;
  const std::string log_type_;
  AuditIds* const audit_ids_;
  simdjson::dom::parser parser_;
  size_t fallbacks_ = 0;
  std::string first_fallback_;
};

// Prints matches on stdout (a table, or NDJSON lines of --fields) and per-event errors on stderr.
// Thread-compatible: call from the one thread that reads responses.
class ResultPrinter {
 public:
  ResultPrinter(absl::string_view command, bool ndjson, bool progress, MatchFields fields, AuditIds* audit_ids);
  void Print(const v1::EvaluateResponse& response);
  // Flushes, prints the summary on stderr, returns the exit status: 0, or 1 if any event or rule failed.
  int Finish();
  size_t events() const { return events_; }

 private:
  void MaybeProgress();

  const std::string command_;
  const bool ndjson_;
  const bool progress_;
  const bool tty_;
  const MatchFields fields_;
  AuditIds* const audit_ids_;
  bool header_printed_ = false;
  bool progress_shown_ = false;
  size_t events_ = 0, matches_ = 0, errors_ = 0;
  std::string out_;
  const std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
  std::chrono::steady_clock::time_point last_progress_ = start_;
};

}  // namespace detect::client

#endif  // DETECT_CLIENT_ONLINE_COMMON_H_
