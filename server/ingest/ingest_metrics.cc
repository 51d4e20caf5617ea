// Recording and rendering the ingest metrics.
#include "server/ingest/ingest_metrics.h"

#include <algorithm>
#include <map>

#include "absl/strings/str_cat.h"

namespace detect::server {

const char* IngestEndpointName(IngestEndpoint e) {
  switch (e) {
    case IngestEndpoint::kK8sAudit: return "k8s_audit";
    case IngestEndpoint::kEvents: return "events";
    case IngestEndpoint::kFirehose: return "firehose";
    case IngestEndpoint::kOtlpHttp: return "otlp_http";
    case IngestEndpoint::kOtlpGrpc: return "otlp_grpc";
  }
  return "unknown";
}

void IngestMetrics::RecordRequest(IngestEndpoint e, int status, absl::Duration latency) {
  const int i = static_cast<int>(e);
  const double seconds = absl::ToDoubleSeconds(latency);
  const size_t b = static_cast<size_t>(
      std::lower_bound(kLatencyBuckets.begin(), kLatencyBuckets.end(), seconds) - kLatencyBuckets.begin());
  latency_[i][b].fetch_add(1, std::memory_order_relaxed);
  latency_count_[i].fetch_add(1, std::memory_order_relaxed);
  latency_sum_nanos_[i].fetch_add(static_cast<uint64_t>(absl::ToInt64Nanoseconds(latency)),
                                  std::memory_order_relaxed);
  absl::MutexLock lock(&mu_);
  ++requests_[{i, status}];
}

void IngestMetrics::RecordError(IngestEndpoint e, absl::string_view reason, uint64_t n) {
  if (n == 0) return;
  absl::MutexLock lock(&mu_);
  errors_[{static_cast<int>(e), std::string(reason)}] += n;
}

void IngestMetrics::RecordRuleMatches(IngestEndpoint e, const absl::flat_hash_map<std::string, uint64_t>& by_rule) {
  if (by_rule.empty()) return;
  absl::MutexLock lock(&mu_);
  for (const auto& [rule_id, n] : by_rule) rule_matches_[{static_cast<int>(e), rule_id}] += n;
}

void IngestMetrics::AppendPrometheus(std::string* out) const {
  const auto header = [out](absl::string_view name, absl::string_view type, absl::string_view help) {
    absl::StrAppend(out, "# HELP ", name, " ", help, "\n# TYPE ", name, " ", type, "\n");
  };
  const auto per_endpoint = [&](absl::string_view name, const Counters& c, absl::string_view help) {
    header(name, "counter", help);
    for (int i = 0; i < kNumIngestEndpoints; ++i) {
      absl::StrAppend(out, name, "{endpoint=\"", IngestEndpointName(static_cast<IngestEndpoint>(i)), "\"} ",
                      c[i].load(std::memory_order_relaxed), "\n");
    }
  };
  std::map<std::pair<int, int>, uint64_t> requests;
  std::map<std::pair<int, std::string>, uint64_t> errors, rule_matches;
  {
    absl::MutexLock lock(&mu_);
    requests.insert(requests_.begin(), requests_.end());
    errors.insert(errors_.begin(), errors_.end());
    rule_matches.insert(rule_matches_.begin(), rule_matches_.end());
  }
  header("detectd_ingest_requests_total", "counter", "Ingest requests by endpoint and HTTP status.");
  for (const auto& [key, n] : requests) {
    absl::StrAppend(out, "detectd_ingest_requests_total{endpoint=\"",
                    IngestEndpointName(static_cast<IngestEndpoint>(key.first)), "\",code=\"", key.second, "\"} ", n,
                    "\n");
  }
  per_endpoint("detectd_ingest_events_total", events_, "Events received and evaluated, by endpoint.");
  per_endpoint("detectd_ingest_bytes_total", bytes_, "Request body bytes received (as sent), by endpoint.");
  per_endpoint("detectd_ingest_matches_total", matches_, "Rule matches from ingested events, by endpoint.");
  header("detectd_ingest_rule_matches_total", "counter", "Rule matches from ingested events, by endpoint and rule id.");
  for (const auto& [key, n] : rule_matches) {
    std::string rule_id;
    for (char c : key.second) {
      if (c == '"' || c == '\\') rule_id += '\\';
      rule_id += c == '\n' ? ' ' : c;
    }
    absl::StrAppend(out, "detectd_ingest_rule_matches_total{endpoint=\"",
                    IngestEndpointName(static_cast<IngestEndpoint>(key.first)), "\",rule_id=\"", rule_id, "\"} ", n,
                    "\n");
  }
  header("detectd_ingest_errors_total", "counter",
         "Ingest errors by endpoint and reason (event: one event that could not be evaluated).");
  for (const auto& [key, n] : errors) {
    absl::StrAppend(out, "detectd_ingest_errors_total{endpoint=\"",
                    IngestEndpointName(static_cast<IngestEndpoint>(key.first)), "\",reason=\"", key.second, "\"} ",
                    n, "\n");
  }
  header("detectd_ingest_request_duration_seconds", "histogram", "Ingest request latency, by endpoint.");
  for (int i = 0; i < kNumIngestEndpoints; ++i) {
    const char* name = IngestEndpointName(static_cast<IngestEndpoint>(i));
    uint64_t cumulative = 0;
    for (size_t b = 0; b <= kLatencyBuckets.size(); ++b) {
      cumulative += latency_[i][b].load(std::memory_order_relaxed);
      const std::string le = b < kLatencyBuckets.size() ? absl::StrCat(kLatencyBuckets[b]) : "+Inf";
      absl::StrAppend(out, "detectd_ingest_request_duration_seconds_bucket{endpoint=\"", name, "\",le=\"", le,
                      "\"} ", cumulative, "\n");
    }
    absl::StrAppend(out, "detectd_ingest_request_duration_seconds_sum{endpoint=\"", name, "\"} ",
                    static_cast<double>(latency_sum_nanos_[i].load()) / 1e9, "\n",
                    "detectd_ingest_request_duration_seconds_count{endpoint=\"", name, "\"} ",
                    latency_count_[i].load(), "\n");
  }
}

}  // namespace detect::server
