// Prometheus metrics of detectd: events evaluated, matches by rule and severity, per-event errors, request
// latency, calls by status code, rule-set version and reload outcomes, in-flight streams. Rendered in the
// Prometheus text exposition format (version 0.0.4), served by server/http (daemon.cc).
#ifndef DETECT_SERVER_METRICS_H_
#define DETECT_SERVER_METRICS_H_

#include <array>
#include <atomic>
#include <cstdint>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "detect/v1/detect.pb.h"
#include "grpcpp/support/status.h"

namespace detect::server {

enum class RpcMethod { kEvaluate, kStreamEvaluate, kListRules, kGetRule, kDescribeRule };
enum class ReloadOutcome { kSuccess, kRejected, kUnchanged, kError };

// Thread-safe. Counters are atomics; matches by rule take one lock per batch that has matches.
class Metrics {
 public:
  static constexpr int kNumMethods = 5;
  static constexpr int kNumCodes = 17;
  static constexpr int kNumOutcomes = 4;
  static constexpr std::array<double, 15> kLatencyBuckets = {
      0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10};

  // One Evaluate call or one StreamEvaluate message: its events, per-event errors and matches, and how long
  // evaluating it took.
  void RecordBatch(RpcMethod method, const v1::EvaluateResponse& response, absl::Duration latency);
  void RecordCall(RpcMethod method, grpc::StatusCode code);
  void StreamOpened() { streams_in_flight_.fetch_add(1, std::memory_order_relaxed); }
  void StreamClosed() { streams_in_flight_.fetch_sub(1, std::memory_order_relaxed); }
  // A StreamEvaluate cancelled (reset by its client) before its first message: the rapid-reset pattern.
  void StreamResetBeforeFirstMessage() { streams_reset_early_.fetch_add(1, std::memory_order_relaxed); }
  // Serialized responses waiting for slow readers, across streams (`delta` may be negative).
  void AddQueuedResponseBytes(int64_t delta) { queued_response_bytes_.fetch_add(delta, std::memory_order_relaxed); }
  // A StreamEvaluate stopped (+1) or resumed (-1) reading because its responses wait for a slow reader.
  void AddStreamsReadingPaused(int delta) { streams_reading_paused_.fetch_add(delta, std::memory_order_relaxed); }
  void SetRuleSet(const std::string& version, size_t rule_count, absl::Time loaded_at) ABSL_LOCKS_EXCLUDED(mu_);
  void RecordReload(ReloadOutcome outcome);

  std::string RenderPrometheus() const ABSL_LOCKS_EXCLUDED(mu_);

  // For tests.
  uint64_t events_evaluated(RpcMethod method) const { return events_[Index(method)].load(); }
  uint64_t event_errors() const { return event_errors_.load(); }
  uint64_t reloads(ReloadOutcome outcome) const { return reloads_[static_cast<int>(outcome)].load(); }
  int64_t streams_in_flight() const { return streams_in_flight_.load(); }
  uint64_t streams_reset_before_first_message() const { return streams_reset_early_.load(); }
  int64_t queued_response_bytes() const { return queued_response_bytes_.load(); }
  int64_t streams_reading_paused() const { return streams_reading_paused_.load(); }

 private:
  struct Histogram {
    std::array<std::atomic<uint64_t>, kLatencyBuckets.size() + 1> buckets{};  // Last: +Inf.
    std::atomic<uint64_t> count{0};
    std::atomic<uint64_t> sum_nanos{0};
  };
  static int Index(RpcMethod m) { return static_cast<int>(m); }

  std::array<std::atomic<uint64_t>, kNumMethods> events_{};
  std::atomic<uint64_t> event_errors_{0};
  std::atomic<uint64_t> rule_errors_{0};
  std::array<Histogram, kNumMethods> latency_;
  std::array<std::array<std::atomic<uint64_t>, kNumCodes>, kNumMethods> calls_{};
  std::array<std::atomic<uint64_t>, kNumOutcomes> reloads_{};
  std::atomic<int64_t> streams_in_flight_{0};
  std::atomic<uint64_t> streams_reset_early_{0};
  std::atomic<int64_t> queued_response_bytes_{0};
  std::atomic<int64_t> streams_reading_paused_{0};

  mutable absl::Mutex mu_;
  // Matches by rule id, then by v1::Severity value.
  absl::flat_hash_map<std::string, std::array<uint64_t, 6>> matches_ ABSL_GUARDED_BY(mu_);
  std::string rule_set_version_ ABSL_GUARDED_BY(mu_);
  size_t rule_count_ ABSL_GUARDED_BY(mu_) = 0;
  absl::Time loaded_at_ ABSL_GUARDED_BY(mu_) = absl::UnixEpoch();
  absl::Time last_reload_ ABSL_GUARDED_BY(mu_) = absl::UnixEpoch();
};

}  // namespace detect::server

#endif  // DETECT_SERVER_METRICS_H_
