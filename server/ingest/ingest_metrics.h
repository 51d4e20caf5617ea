// IngestMetrics: per-endpoint Prometheus metrics of the ingest listener (and the OTLP gRPC service):
// requests by HTTP status, events, body bytes, errors by reason, matches, request latency. Appended to
// detectd's /metrics page.
#ifndef DETECT_SERVER_INGEST_INGEST_METRICS_H_
#define DETECT_SERVER_INGEST_INGEST_METRICS_H_

#include <array>
#include <atomic>
#include <cstdint>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace detect::server {

enum class IngestEndpoint { kK8sAudit, kEvents, kFirehose, kOtlpHttp, kOtlpGrpc };
inline constexpr int kNumIngestEndpoints = 5;
const char* IngestEndpointName(IngestEndpoint e);

// Thread-safe. Counters are atomics; the (endpoint, status) and (endpoint, reason) maps take a lock.
class IngestMetrics {
 public:
  static constexpr std::array<double, 12> kLatencyBuckets = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                                             0.1,   0.25,   0.5,   1,    2.5,   10};
  // One request: its HTTP status (gRPC: the HTTP status the code maps to), and how long it took.
  void RecordRequest(IngestEndpoint e, int status, absl::Duration latency);
  void RecordBytes(IngestEndpoint e, size_t bytes) { At(bytes_, e).fetch_add(bytes, std::memory_order_relaxed); }
  void RecordEvents(IngestEndpoint e, size_t events, size_t matches) {
    At(events_, e).fetch_add(events, std::memory_order_relaxed);
    At(matches_, e).fetch_add(matches, std::memory_order_relaxed);
  }
  // `reason`: a fixed word (unauthorized, too_large, bad_request, overloaded, timeout, event, ...).
  void RecordError(IngestEndpoint e, absl::string_view reason, uint64_t n = 1) ABSL_LOCKS_EXCLUDED(mu_);
  // Matches of one request by rule id (one lock per request, not per match).
  void RecordRuleMatches(IngestEndpoint e, const absl::flat_hash_map<std::string, uint64_t>& by_rule)
      ABSL_LOCKS_EXCLUDED(mu_);

  void AppendPrometheus(std::string* out) const ABSL_LOCKS_EXCLUDED(mu_);

  // For tests.
  uint64_t events(IngestEndpoint e) const { return At(events_, e).load(); }

 private:
  using Counters = std::array<std::atomic<uint64_t>, kNumIngestEndpoints>;
  static std::atomic<uint64_t>& At(Counters& c, IngestEndpoint e) { return c[static_cast<int>(e)]; }
  static const std::atomic<uint64_t>& At(const Counters& c, IngestEndpoint e) { return c[static_cast<int>(e)]; }

  Counters bytes_{}, events_{}, matches_{}, latency_count_{}, latency_sum_nanos_{};
  std::array<std::array<std::atomic<uint64_t>, kLatencyBuckets.size() + 1>, kNumIngestEndpoints> latency_{};
  mutable absl::Mutex mu_;
  absl::flat_hash_map<std::pair<int, int>, uint64_t> requests_ ABSL_GUARDED_BY(mu_);  // (endpoint, status).
  absl::flat_hash_map<std::pair<int, std::string>, uint64_t> errors_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_map<std::pair<int, std::string>, uint64_t> rule_matches_ ABSL_GUARDED_BY(mu_);
};

}  // namespace detect::server

#endif  // DETECT_SERVER_INGEST_INGEST_METRICS_H_
