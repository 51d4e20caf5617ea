// Metrics recording and the Prometheus text exposition.
#include "server/metrics.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace detect::server {
namespace {

constexpr absl::string_view kMethodNames[Metrics::kNumMethods] = {"Evaluate", "StreamEvaluate", "ListRules",
                                                                  "GetRule", "DescribeRule"};
constexpr absl::string_view kCodeNames[Metrics::kNumCodes] = {
    "OK", "CANCELLED", "UNKNOWN", "INVALID_ARGUMENT", "DEADLINE_EXCEEDED", "NOT_FOUND", "ALREADY_EXISTS",
    "PERMISSION_DENIED", "RESOURCE_EXHAUSTED", "FAILED_PRECONDITION", "ABORTED", "OUT_OF_RANGE",
    "UNIMPLEMENTED", "INTERNAL", "UNAVAILABLE", "DATA_LOSS", "UNAUTHENTICATED"};
constexpr absl::string_view kOutcomeNames[Metrics::kNumOutcomes] = {"success", "rejected", "unchanged", "error"};
constexpr absl::string_view kSeverityNames[6] = {"Unspecified", "Info", "Low", "Medium", "High", "Critical"};

// Prometheus label values escape backslash, double quote and newline.
std::string LabelValue(absl::string_view v) {
  std::string out;
  out.reserve(v.size());
  for (char c : v) {
    if (c == '\\') out += "\\\\";
    else if (c == '"') out += "\\\"";
    else if (c == '\n') out += "\\n";
    else out.push_back(c);
  }
  return out;
}

void Header(std::string* out, absl::string_view name, absl::string_view type, absl::string_view help) {
  absl::StrAppend(out, "# HELP ", name, " ", help, "\n# TYPE ", name, " ", type, "\n");
}

}  // namespace

void Metrics::RecordBatch(RpcMethod method, const v1::EvaluateResponse& response, absl::Duration latency) {
  const int m = Index(method);
  events_[m].fetch_add(static_cast<uint64_t>(response.results_size()), std::memory_order_relaxed);
  uint64_t errors = 0, rule_errors = 0;
  bool any_match = false;
  for (const v1::EventResult& r : response.results()) {
    errors += r.has_error() ? 1 : 0;
    rule_errors += static_cast<uint64_t>(r.rule_errors_size());
    any_match = any_match || r.matches_size() > 0;
  }
  if (errors) event_errors_.fetch_add(errors, std::memory_order_relaxed);
  if (rule_errors) rule_errors_.fetch_add(rule_errors, std::memory_order_relaxed);
  if (any_match) {
    absl::MutexLock lock(&mu_);
    for (const v1::EventResult& r : response.results()) {
      for (const v1::Match& match : r.matches()) {
        const int sev = match.severity() >= 0 && match.severity() < 6 ? match.severity() : 0;
        auto it = matches_.find(match.rule_id());
        if (it == matches_.end()) it = matches_.emplace(match.rule_id(), std::array<uint64_t, 6>{}).first;
        ++it->second[sev];
      }
    }
  }
  Histogram& h = latency_[m];
  const double seconds = absl::ToDoubleSeconds(latency);
  size_t b = 0;
  while (b < kLatencyBuckets.size() && seconds > kLatencyBuckets[b]) ++b;
  h.buckets[b].fetch_add(1, std::memory_order_relaxed);
  h.count.fetch_add(1, std::memory_order_relaxed);
  h.sum_nanos.fetch_add(static_cast<uint64_t>(absl::ToInt64Nanoseconds(latency)), std::memory_order_relaxed);
}

void Metrics::RecordCall(RpcMethod method, grpc::StatusCode code) {
  const int c = static_cast<int>(code);
  calls_[Index(method)][c >= 0 && c < kNumCodes ? c : 2].fetch_add(1, std::memory_order_relaxed);
}

void Metrics::SetRuleSet(const std::string& version, size_t rule_count, absl::Time loaded_at) {
  absl::MutexLock lock(&mu_);
  rule_set_version_ = version;
  rule_count_ = rule_count;
  loaded_at_ = loaded_at;
}

void Metrics::RecordReload(ReloadOutcome outcome) {
  reloads_[static_cast<int>(outcome)].fetch_add(1, std::memory_order_relaxed);
  absl::MutexLock lock(&mu_);
  last_reload_ = absl::Now();
}

std::string Metrics::RenderPrometheus() const {
  std::string out;
  Header(&out, "detectd_events_evaluated_total", "counter", "Events evaluated, by RPC method.");
  for (int m = 0; m < 2; ++m) {
    absl::StrAppend(&out, "detectd_events_evaluated_total{method=\"", kMethodNames[m], "\"} ", events_[m].load(),
                    "\n");
  }
  Header(&out, "detectd_event_errors_total", "counter", "Events that could not be evaluated (per-event errors).");
  absl::StrAppend(&out, "detectd_event_errors_total ", event_errors_.load(), "\n");
  Header(&out, "detectd_rule_errors_total", "counter", "Rule evaluation errors on single events.");
  absl::StrAppend(&out, "detectd_rule_errors_total ", rule_errors_.load(), "\n");
  Header(&out, "detectd_request_duration_seconds", "histogram",
         "Time to evaluate one Evaluate call or one StreamEvaluate message.");
  for (int m = 0; m < 2; ++m) {
    const Histogram& h = latency_[m];
    uint64_t cumulative = 0;
    for (size_t b = 0; b <= kLatencyBuckets.size(); ++b) {
      cumulative += h.buckets[b].load();
      const std::string le = b < kLatencyBuckets.size() ? absl::StrCat(kLatencyBuckets[b]) : "+Inf";
      absl::StrAppend(&out, "detectd_request_duration_seconds_bucket{method=\"", kMethodNames[m], "\",le=\"", le,
                      "\"} ", cumulative, "\n");
    }
    absl::StrAppend(&out, "detectd_request_duration_seconds_sum{method=\"", kMethodNames[m], "\"} ",
                    absl::StrFormat("%.9f", h.sum_nanos.load() / 1e9), "\n");
    absl::StrAppend(&out, "detectd_request_duration_seconds_count{method=\"", kMethodNames[m], "\"} ",
                    h.count.load(), "\n");
  }
  Header(&out, "detectd_calls_total", "counter", "Finished RPCs, by method and gRPC status code.");
  for (int m = 0; m < kNumMethods; ++m) {
    for (int c = 0; c < kNumCodes; ++c) {
      const uint64_t n = calls_[m][c].load();
      if (n == 0 && c != 0) continue;
      absl::StrAppend(&out, "detectd_calls_total{method=\"", kMethodNames[m], "\",code=\"", kCodeNames[c], "\"} ",
                      n, "\n");
    }
  }
  Header(&out, "detectd_streams_in_flight", "gauge", "Open StreamEvaluate streams.");
  absl::StrAppend(&out, "detectd_streams_in_flight ", streams_in_flight_.load(), "\n");
  Header(&out, "detectd_streams_reset_before_first_message_total", "counter",
         "StreamEvaluate streams cancelled by the client before sending a message (HTTP/2 rapid reset); they "
         "never hold a stream slot.");
  absl::StrAppend(&out, "detectd_streams_reset_before_first_message_total ", streams_reset_early_.load(), "\n");
  Header(&out, "detectd_queued_response_bytes", "gauge",
         "Serialized StreamEvaluate responses waiting for slow readers, all streams (each stream stops reading at "
         "--max_queued_response_bytes).");
  absl::StrAppend(&out, "detectd_queued_response_bytes ", queued_response_bytes_.load(), "\n");
  Header(&out, "detectd_streams_reading_paused", "gauge",
         "StreamEvaluate streams not reading because their responses wait for a slow reader "
         "(--max_queued_responses, --max_queued_response_bytes); HTTP/2 flow control then holds their clients.");
  absl::StrAppend(&out, "detectd_streams_reading_paused ", streams_reading_paused_.load(), "\n");
  Header(&out, "detectd_rule_reloads_total", "counter", "Rule reloads by outcome.");
  for (int o = 0; o < kNumOutcomes; ++o) {
    absl::StrAppend(&out, "detectd_rule_reloads_total{outcome=\"", kOutcomeNames[o], "\"} ", reloads_[o].load(),
                    "\n");
  }
  absl::MutexLock lock(&mu_);
  Header(&out, "detectd_rule_set_info", "gauge", "The serving rule set: its version (content hash) as a label.");
  absl::StrAppend(&out, "detectd_rule_set_info{version=\"", LabelValue(rule_set_version_), "\"} 1\n");
  Header(&out, "detectd_rules_loaded", "gauge", "Rules in the serving rule set.");
  absl::StrAppend(&out, "detectd_rules_loaded ", rule_count_, "\n");
  Header(&out, "detectd_rule_set_loaded_timestamp_seconds", "gauge", "When the serving rule set was loaded.");
  absl::StrAppend(&out, "detectd_rule_set_loaded_timestamp_seconds ", absl::ToUnixSeconds(loaded_at_), "\n");
  Header(&out, "detectd_last_reload_timestamp_seconds", "gauge", "When a reload was last attempted (0: never).");
  absl::StrAppend(&out, "detectd_last_reload_timestamp_seconds ",
                  last_reload_ == absl::UnixEpoch() ? 0 : absl::ToUnixSeconds(last_reload_), "\n");
  Header(&out, "detectd_matches_total", "counter", "Rule matches, by rule id and severity of the match.");
  for (const auto& [rule_id, by_severity] : matches_) {
    for (int s = 0; s < 6; ++s) {
      if (by_severity[s] == 0) continue;
      absl::StrAppend(&out, "detectd_matches_total{rule_id=\"", LabelValue(rule_id), "\",severity=\"",
                      kSeverityNames[s], "\"} ", by_severity[s], "\n");
    }
  }
  return out;
}

}  // namespace detect::server
