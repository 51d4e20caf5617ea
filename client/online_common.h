// Shared parts of `detectctl evaluate` and `stream`: turning input lines into Events, and printing results
// in the same shapes as `detectctl eval` (client/match_format.h) with a summary and a progress line on stderr.
#ifndef DETECT_CLIENT_ONLINE_COMMON_H_
#define DETECT_CLIENT_ONLINE_COMMON_H_

#include <chrono>
#include <cstddef>
#include <string>

#include "absl/strings/string_view.h"
#include "detect/v1/detect.pb.h"

namespace detect::client {

// Panther's spelling of a severity ("Low"), "" for unspecified.
absl::string_view SeverityText(v1::Severity severity);

// Fills Events from JSON text: a typed AuditEvent unless `raw`, falling back to raw JSON bytes for text that
// does not convert (not JSON, or a modeled field of another type), so the server still answers it.
// Thread-compatible.
class EventEncoder {
 public:
  EventEncoder(bool raw, std::string log_type) : raw_(raw), log_type_(std::move(log_type)) {}
  // The event's id is its 1-based position in the input.
  void Encode(size_t position, std::string json, v1::Event* event);
  // Reports (once, on stderr) how many events went raw because they did not convert.
  void ReportFallbacks(absl::string_view command) const;

 private:
  const bool raw_;
  const std::string log_type_;
  size_t fallbacks_ = 0;
  std::string first_fallback_;
};

// Prints matches on stdout (a table, or NDJSON lines {"line","rule_id","severity","title","dedup"}) and
// per-event errors on stderr. Thread-compatible: call from the one thread that reads responses.
class ResultPrinter {
 public:
  ResultPrinter(absl::string_view command, bool ndjson, bool progress);
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
  bool header_printed_ = false;
  bool progress_shown_ = false;
  size_t events_ = 0, matches_ = 0, errors_ = 0;
  std::string out_;
  const std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
  std::chrono::steady_clock::time_point last_progress_ = start_;
};

}  // namespace detect::client

#endif  // DETECT_CLIENT_ONLINE_COMMON_H_
