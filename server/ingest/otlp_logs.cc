// OTLP log records to events, one evaluation per request, partial success for the rest.
#include "server/ingest/otlp_logs.h"

#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "server/ingest/otlp_event.h"
#include "server/log.h"

namespace detect::server {
namespace {

using opentelemetry::proto::collector::logs::v1::ExportLogsServiceRequest;
using opentelemetry::proto::collector::logs::v1::ExportLogsServiceResponse;
using opentelemetry::proto::logs::v1::LogRecord;

constexpr int kErrorsNamed = 5;  // Records named in error_message; the count covers all.

// One record's place in the request, for messages and logs.
struct RecordRef {
  const LogRecord* record;
  size_t index;  // Among all records of the request, in order.
};

}  // namespace

size_t CountLogRecords(const ExportLogsServiceRequest& request) {
  size_t n = 0;
  for (const auto& rl : request.resource_logs()) {
    for (const auto& sl : rl.scope_logs()) n += static_cast<size_t>(sl.log_records_size());
  }
  return n;
}

absl::Status OtlpLogsIngest::Export(const ExportLogsServiceRequest& request,
                                    ExportLogsServiceResponse* response) const {
  response->Clear();
  const size_t total = CountLogRecords(request);
  if (options_.max_records_per_request > 0 && total > options_.max_records_per_request) {
    metrics_->RecordError(endpoint_, "too_many_events");
    return absl::InvalidArgumentError(absl::StrCat("request has ", total, " log records; the limit is ",
                                                   options_.max_records_per_request));
  }
  // Events converted from maps, or given a p_source_label; string bodies used as they are point into `request`.
  std::vector<std::string> texts(total);
  std::vector<RecordRef> evaluated;
  evaluated.reserve(total);
  RequestView view;
  view.omit_rule_metadata = true;
  view.events.reserve(total);
  int64_t rejected = 0;
  std::string errors;
  const auto reject = [&](size_t index, absl::string_view why) {
    if (++rejected <= kErrorsNamed) absl::StrAppend(&errors, errors.empty() ? "" : "; ", "log record ", index, ": ", why);
  };
  size_t index = 0;
  for (const auto& rl : request.resource_logs()) {
    const std::string cluster = OtlpClusterName(rl.resource());
    for (const auto& sl : rl.scope_logs()) {
      for (const LogRecord& record : sl.log_records()) {
        absl::StatusOr<absl::string_view> text = OtlpEventJson(record.body(), cluster, &texts[index]);
        if (!text.ok()) {
          reject(index, text.status().message());
        } else {
          evaluated.push_back({&record, index});
          view.events.push_back({"", "", EventView::Payload::kJson, *text});
        }
        ++index;
      }
    }
  }
  const int64_t bad_bodies = rejected;
  v1::EvaluateResponse results;
  if (!view.events.empty()) evaluator_->Evaluate(view, &results);
  size_t matches = 0;
  absl::flat_hash_map<std::string, uint64_t> by_rule;
  for (int i = 0; i < results.results_size() && i < static_cast<int>(evaluated.size()); ++i) {
    const v1::EventResult& r = results.results(i);
    if (r.has_error() && r.error().code() != 0) reject(evaluated[i].index, r.error().message());
    for (const v1::Match& m : r.matches()) {
      ++matches;
      ++by_rule[m.rule_id()];
      Log(LogLevel::kDebug, "otlp match",
          {{"endpoint", IngestEndpointName(endpoint_)}, {"rule_id", m.rule_id()},
           {"record_index", evaluated[i].index}, {"time_unix_nano", evaluated[i].record->time_unix_nano()}});
    }
  }
  metrics_->RecordEvents(endpoint_, total, matches);
  if (!by_rule.empty()) metrics_->RecordRuleMatches(endpoint_, by_rule);
  if (bad_bodies > 0) metrics_->RecordError(endpoint_, "bad_record", bad_bodies);
  if (rejected > bad_bodies) metrics_->RecordError(endpoint_, "event", rejected - bad_bodies);
  if (rejected > 0) {
    auto* partial = response->mutable_partial_success();
    partial->set_rejected_log_records(rejected);
    partial->set_error_message(absl::StrCat(rejected, " of ", total, " log records rejected: ", errors,
                                            rejected > kErrorsNamed ? "; ..." : ""));
  }
  return absl::OkStatus();
}

}  // namespace detect::server
