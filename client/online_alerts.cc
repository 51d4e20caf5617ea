// `detectctl alerts --server ADDR [--since ID] [--format text|ndjson]`: follows detectd's alert log over
// WatchAlerts until interrupted or the server ends the stream. NDJSON lines are the alert JSON of docs/alerts.md
// (rendered by alert::AlertToJson, as webhooks and --alert_file get it) with the alert-log position first:
// {"log_id": ..., ["missed_alerts": true,] "alert_id": ...}; pass the last log_id to --since to resume.
#include <cstdio>
#include <memory>
#include <string>

#include "absl/flags/flag.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "alert/alert.h"
#include "client/commands.h"
#include "client/flags.h"
#include "client/grpc_channel.h"
#include "client/online_common.h"
#include "common/json_escape.h"
#include "detect/v1/detect.grpc.pb.h"
#include "google/protobuf/util/json_util.h"

namespace detect::client {
namespace {

absl::Time FromProto(const google::protobuf::Timestamp& t) {
  return absl::FromUnixSeconds(t.seconds()) + absl::Nanoseconds(t.nanos());
}

Severity SeverityOf(v1::Severity s) {
  const int v = static_cast<int>(s);
  return v < 1 || v > 5 ? Severity::kInfo : static_cast<Severity>(v - 1);
}

std::string StructText(const google::protobuf::Struct& s) {
  std::string out;
  if (!google::protobuf::util::MessageToJsonString(s, &out).ok() || out.empty()) return "{}";
  return out;
}

// The alert JSON of docs/alerts.md, from the proto.
alert::AlertRecord RecordOf(const v1::Alert& a) {
  auto rule = std::make_shared<alert::RuleMeta>();
  rule->id = a.rule_id();
  rule->display_name = a.display_name();
  rule->description = a.description();
  rule->runbook = a.runbook();
  rule->reference = a.reference();
  rule->tags.assign(a.tags().begin(), a.tags().end());
  rule->mitre.assign(a.mitre_attack().begin(), a.mitre_attack().end());
  rule->dedup_period_minutes = a.dedup_period_minutes();
  rule->threshold = a.threshold();
  rule->threshold_field = a.threshold_field();
  alert::AlertRecord r;
  r.rule = std::move(rule);
  r.alert_id = a.alert_id();
  r.state = a.state() == v1::ALERT_STATE_UPDATED ? alert::AlertState::kUpdated : alert::AlertState::kOpened;
  r.dedup = a.dedup();
  r.title = a.title();
  r.severity = SeverityOf(a.severity());
  r.highest_severity = SeverityOf(a.highest_severity());
  r.match_count = a.match_count();
  r.distinct_count = a.distinct_count();
  r.window_start = FromProto(a.window_start());
  r.window_end = FromProto(a.window_end());
  r.first_match_time = FromProto(a.first_event_time());
  r.last_match_time = FromProto(a.last_event_time());
  r.sample_event_ids.assign(a.sample_event_ids().begin(), a.sample_event_ids().end());
  r.alert_context_json = StructText(a.alert_context());
  r.summary_json = StructText(a.summary_attributes());
  return r;
}

std::string NdjsonLine(const v1::WatchAlertsResponse& response) {
  std::string out = "{\"log_id\":";
  AppendJsonString(response.log_id(), &out);
  if (response.missed_alerts()) out += ",\"missed_alerts\":true";
  const std::string json = alert::AlertToJson(RecordOf(response.alert()));
  absl::StrAppend(&out, ",", absl::string_view(json).substr(1), "\n");  // The alert's fields after the '{'.
  return out;
}

std::string TextLine(const v1::WatchAlertsResponse& response) {
  const v1::Alert& a = response.alert();
  return absl::StrCat(alert::FormatAlertTime(FromProto(a.last_event_time())), "  ",
                      a.state() == v1::ALERT_STATE_UPDATED ? "updated" : "opened ", "  ",
                      SeverityText(a.severity()), "  ", a.match_count(), a.match_count() == 1 ? " match  " : " matches  ",
                      a.rule_id(), "  ", a.dedup(), "  ", a.title(), "  [", response.log_id(), "]\n");
}

}  // namespace

int RunAlerts(const Args& args) {
  const std::string format = absl::GetFlag(FLAGS_format);
  if (!args.empty() || (format != "text" && format != "ndjson")) {
    std::fprintf(stderr, "usage: detectctl alerts --server HOST:PORT [--since LOG_ID] [--format text|ndjson]\n");
    return 2;
  }
  auto stub = StubFromFlags();
  if (!stub.ok()) {
    std::fprintf(stderr, "detectctl alerts: %s\n", std::string(stub.status().message()).c_str());
    return 2;
  }
  grpc::ClientContext context;  // No deadline: a watch lasts until interrupted.
  v1::WatchAlertsRequest request;
  request.set_since_log_id(absl::GetFlag(FLAGS_since));
  std::unique_ptr<grpc::ClientReader<v1::WatchAlertsResponse>> reader = (*stub)->WatchAlerts(&context, request);
  reader->WaitForInitialMetadata();
  const ChannelOptions channel = ChannelOptionsFromFlags();
  std::string last;  // The log_id of the last alert received.
  size_t alerts = 0;
  v1::WatchAlertsResponse response;
  while (reader->Read(&response)) {
    if (response.missed_alerts()) {
      std::fprintf(stderr,
                   "detectctl alerts: alerts after %s are no longer in detectd's alert log; following from the "
                   "oldest kept (%s)\n",
                   last.empty() ? request.since_log_id().c_str() : last.c_str(), response.log_id().c_str());
    }
    const std::string line = format == "ndjson" ? NdjsonLine(response) : TextLine(response);
    std::fwrite(line.data(), 1, line.size(), stdout);
    std::fflush(stdout);
    last = response.log_id();
    ++alerts;
  }
  const grpc::Status status = reader->Finish();
  std::fprintf(stderr, "alerts=%zu last_log_id=%s\n", alerts, last.c_str());
  if (status.ok()) return 0;
  std::fprintf(stderr, "detectctl alerts: %s\n", RpcErrorText(status, channel).c_str());
  const std::string resume = last.empty() ? request.since_log_id() : last;
  if (status.error_code() == grpc::StatusCode::UNAVAILABLE && !resume.empty()) {
    std::fprintf(stderr, "detectctl alerts: resume with --since %s\n", resume.c_str());
  }
  return 1;
}

}  // namespace detect::client
