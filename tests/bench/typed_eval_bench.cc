// In-process evaluation of typed events: converts an NDJSON file to detect.v1.AuditEvent messages first (not
// timed, as a gRPC server receives them already parsed), then evaluates every message against the rules
// through the protobuf view, with no JSON text in between. Prints the same summary line as `detectctl eval`,
// and how many matches the JSON path finds on the same events, so the two can be compared.
//
// Usage: typed_eval_bench --rules PATH FILE
#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include "engine/compiler.h"
#include "engine/json_event.h"
#include "proto/audit_event_json.h"
#include "proto/audit_event_view.h"
#include "simdjson.h"

int main(int argc, char** argv) {
  if (argc != 4 || std::string(argv[1]) != "--rules") {
    std::fprintf(stderr, "usage: typed_eval_bench --rules PATH FILE\n");
    return 2;
  }
  detect::RuleSetBuilder builder;
  if (!builder.AddPath(argv[2]).ok()) return 1;
  detect::CompileResult compiled = std::move(builder).Build();
  if (!compiled.IsValid()) {
    std::fprintf(stderr, "%s", compiled.FormatIssues().c_str());
    return 1;
  }
  auto rules = compiled.ReleaseRuleSet();
  auto loaded = simdjson::padded_string::load(argv[3]);
  if (loaded.error()) return 1;
  const simdjson::padded_string input = std::move(loaded).value_unsafe();
  std::vector<detect::v1::AuditEvent> events;
  absl::string_view data(input.data(), input.size());
  size_t json_matches = 0;
  detect::JsonEventParser parser;
  detect::EvalScratch scratch;
  detect::EvalResult result;
  while (!data.empty()) {
    size_t end = data.find('\n');
    if (end == absl::string_view::npos) end = data.size();
    absl::string_view line = data.substr(0, end);
    data.remove_prefix(std::min(end + 1, data.size()));
    if (line.empty()) continue;
    detect::v1::AuditEvent event;
    if (!detect::AuditEventFromJson(line, &event).ok()) continue;
    events.push_back(std::move(event));
    result.Clear();
    if (rules->EvaluateJson(line, "", parser, scratch, result).ok()) json_matches += result.matches.size();
  }
  detect::WarmUpAuditEventView();
  size_t matches = 0;
  const auto start = std::chrono::steady_clock::now();
  for (const detect::v1::AuditEvent& event : events) {
    result.Clear();
    rules->Evaluate(detect::AuditEventValue(event), "", scratch, result);
    matches += result.matches.size();
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("events=%zu matches=%zu json_matches=%zu rules=%zu seconds=%.3f events_per_second=%.0f\n",
              events.size(), matches, json_matches, rules->size(), seconds, events.size() / seconds);
  return 0;
}
