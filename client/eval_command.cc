// `detectctl eval --rules PATH FILE|-`: evaluates events in-process, one line per match, optionally on several
// threads (the events are split into slices; output keeps input order). Input through ReadAllEvents, the same
// reader `evaluate` and `stream` use. With --alerts, replays the matches into alerts instead (eval_alerts.cc).
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <string>
#include <thread>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/strings/str_cat.h"
#include "client/canonical_json.h"
#include "client/commands.h"
#include "client/eval_alerts.h"
#include "client/event_reader.h"
#include "client/flags.h"
#include "client/match_format.h"
#include "client/rule_loading.h"
#include "common/json_escape.h"
#include "engine/json_event.h"
#include "engine/rule_set.h"

namespace detect::client {
namespace {

// One thread's share of the events and what it produced.
struct Slice {
  size_t begin = 0, end = 0;  // Indices into the batch's events.
  size_t matches = 0, errors = 0;
  std::string out;
  std::string diagnostics;
};

// {"path": value, ...} in the rule's order.
std::string SummaryJson(const std::vector<SummaryValue>& summary) {
  std::string out = "{";
  for (const SummaryValue& s : summary) {
    if (out.size() > 1) out += ", ";
    AppendAsciiJsonString(s.name, &out);
    out += ": ";
    out += CanonicalJson(s.json);
  }
  out += "}";
  return out;
}

void EvaluateSlice(const RuleSet& rules, const EventBatch& batch, const std::string& log_type, bool ndjson,
                   const MatchFields& fields, Slice& slice) {
  JsonEventParser parser(rules.options());
  EvalScratch scratch;
  EvalResult result;
  MatchRecord record;
  for (size_t i = slice.begin; i < slice.end; ++i) {
    const size_t n = i + 1;
    result.Clear();
    absl::StatusOr<Value> event = rules.ParseJson(batch.events[i], parser, /*padded=*/true);
    if (!event.ok()) {
      ++slice.errors;
      absl::StrAppend(&slice.diagnostics, "line ", n, ": ", event.status().message(), "\n");
      continue;
    }
    rules.Evaluate(*event, log_type, scratch, result);
    for (const Match& m : result.matches) {
      ++slice.matches;
      if (!ndjson) {
        slice.out += FormatMatchText(n, m.rule->id, SeverityName(m.severity), m.title);
        continue;
      }
      record.line = n;
      const Value audit_id = event->Get("auditID");
      record.audit_id = audit_id.is_string() ? std::string(audit_id.string_value()) : "";
      record.rule_id = m.rule->id;
      record.severity = std::string(SeverityName(m.severity));
      record.title = m.title;
      record.dedup = m.dedup;
      if (HasField(fields, MatchField::kSummary)) record.summary_json = SummaryJson(m.summary);
      if (HasField(fields, MatchField::kAlertContext)) record.alert_context_json = CanonicalJson(m.alert_context_json);
      slice.out += FormatMatchNdjson(record, fields);
    }
  }
}

}  // namespace

int RunEval(const Args& args) {
  const std::string format = absl::GetFlag(FLAGS_format);
  const int threads = absl::GetFlag(FLAGS_threads);
  if (args.size() != 1 || threads < 1 || threads > 256) {
    std::fprintf(stderr, "usage: detectctl eval --rules PATH [--alerts] [--format text|ndjson] [--threads 1..256] FILE|-\n");
    return 2;
  }
  absl::StatusOr<MatchFields> fields = ParseMatchFields(absl::GetFlag(FLAGS_fields));
  if (!fields.ok()) {
    std::fprintf(stderr, "detectctl eval: %s\n", std::string(fields.status().message()).c_str());
    return 2;
  }
  const auto load_start = std::chrono::steady_clock::now();
  auto rules = LoadRulesFromFlags("eval");
  if (rules == nullptr) return 1;
  const double load_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - load_start).count();
  absl::StatusOr<std::unique_ptr<EventBatch>> batch = ReadAllEvents(args[0]);
  if (!batch.ok()) {
    std::fprintf(stderr, "detectctl eval: %s\n", std::string(batch.status().message()).c_str());
    return 1;
  }
  const size_t events = (*batch)->events.size();
  if (events == 0) std::fprintf(stderr, "detectctl eval: no events in %s\n", args[0].c_str());

  const std::string log_type = absl::GetFlag(FLAGS_log_type);
  const bool ndjson = format == "ndjson";
  if (absl::GetFlag(FLAGS_alerts)) return ReplayAlerts(*rules, **batch, log_type, ndjson);
  std::vector<Slice> slices(std::max<size_t>(1, std::min<size_t>(threads, events)));
  for (size_t i = 0; i < slices.size(); ++i) {
    slices[i].begin = events * i / slices.size();
    slices[i].end = events * (i + 1) / slices.size();
  }
  const auto start = std::chrono::steady_clock::now();
  std::vector<std::thread> workers;
  for (Slice& s : slices) {
    workers.emplace_back([&, &s = s] { EvaluateSlice(*rules, **batch, log_type, ndjson, *fields, s); });
  }
  for (std::thread& t : workers) t.join();
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

  size_t matches = 0, errors = 0;
  for (const Slice& s : slices) matches += s.matches, errors += s.errors;
  if (!ndjson && matches > 0) std::fputs(MatchTableHeader().c_str(), stdout);
  for (const Slice& s : slices) {
    std::fwrite(s.out.data(), 1, s.out.size(), stdout);
    std::fputs(s.diagnostics.c_str(), stderr);
  }
  std::fflush(stdout);
  std::fprintf(stderr,
               "events=%zu matches=%zu errors=%zu rules=%zu input=%s load_seconds=%.3f threads=%zu seconds=%.3f "
               "events_per_second=%.0f\n",
               events, matches, errors, rules->size(), std::string(InputShapeName((*batch)->shape)).c_str(),
               load_seconds, slices.size(), seconds, seconds > 0 ? events / seconds : 0.0);
  return errors == 0 ? 0 : 1;
}

}  // namespace detect::client
