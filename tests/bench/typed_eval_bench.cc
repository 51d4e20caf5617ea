// In-process evaluation of typed events: converts an NDJSON file to detect.v1.AuditEvent messages first (not
// timed), then evaluates every event against the rules two ways, with no JSON text in between:
//  - parsed messages through the protobuf reflection view (tests/testing/audit_event_view), as a caller holding
//    AuditEvent objects would;
//  - serialized messages through the wire view (proto/audit_event_wire), as detectd does with the bytes it
//    receives: validation, indexing and evaluation are all timed (wire_* figures).
// Prints the same summary line as `detectctl eval`, plus the wire view's figures and how many matches the
// JSON path finds on the same events, so the three can be compared.
//
// Usage: typed_eval_bench --rules PATH FILE
#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include "engine/compiler.h"
#include "engine/json_event.h"
#include "proto/audit_event_json.h"
#include "tests/testing/audit_event_view.h"
#include "proto/audit_event_wire.h"
#include "simdjson.h"

namespace {

// The timed loops, out of line so that profilers can single them out (callgrind --toggle-collect).
[[gnu::noinline]] size_t EvaluateMessages(const detect::RuleSet& rules, const std::vector<detect::v1::AuditEvent>& events) {
  detect::EvalScratch scratch;
  detect::EvalResult result;
  size_t matches = 0;
  for (const detect::v1::AuditEvent& event : events) {
    result.Clear();
    rules.Evaluate(detect::AuditEventValue(event), "", scratch, result);
    matches += result.matches.size();
  }
  return matches;
}

[[gnu::noinline]] size_t EvaluateWire(const detect::RuleSet& rules, const std::vector<std::string>& serialized,
                                      size_t* errors) {
  detect::EvalScratch scratch;
  detect::EvalResult result;
  detect::AuditEventWire wire;
  size_t matches = 0;
  for (const std::string& bytes : serialized) {
    result.Clear();
    if (!wire.Reset(bytes).ok()) {
      ++*errors;
      continue;
    }
    rules.Evaluate(wire.root(), "", scratch, result);
    matches += result.matches.size();
  }
  return matches;
}

}  // namespace

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
  const auto start = std::chrono::steady_clock::now();
  const size_t matches = EvaluateMessages(*rules, events);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

  std::vector<std::string> serialized;
  serialized.reserve(events.size());
  for (const detect::v1::AuditEvent& event : events) serialized.push_back(event.SerializeAsString());
  size_t wire_errors = 0;
  const auto wire_start = std::chrono::steady_clock::now();
  const size_t wire_matches = EvaluateWire(*rules, serialized, &wire_errors);
  const double wire_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - wire_start).count();
  std::printf("events=%zu matches=%zu json_matches=%zu rules=%zu seconds=%.3f events_per_second=%.0f "
              "wire_matches=%zu wire_errors=%zu wire_seconds=%.3f wire_events_per_second=%.0f\n",
              events.size(), matches, json_matches, rules->size(), seconds, events.size() / seconds, wire_matches,
              wire_errors, wire_seconds, serialized.size() / wire_seconds);
  return 0;
}
