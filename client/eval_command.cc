// `detectctl eval --rules PATH FILE|-`: evaluates an NDJSON file in-process, one line per match.
#include <chrono>
#include <cstdio>
#include <iostream>
#include <iterator>
#include <string>

#include "absl/flags/flag.h"
#include "client/commands.h"
#include "client/flags.h"
#include "client/match_format.h"
#include "client/rule_loading.h"
#include "engine/json_event.h"
#include "engine/rule_set.h"
#include "simdjson.h"

namespace detect::client {
namespace {

// Reads FILE (or stdin for "-") into a buffer with simdjson's padding, so lines parse in place.
bool ReadInput(const std::string& name, simdjson::padded_string* out) {
  if (name == "-") {
    std::string data((std::istreambuf_iterator<char>(std::cin)), std::istreambuf_iterator<char>());
    *out = simdjson::padded_string(data);
    return true;
  }
  auto loaded = simdjson::padded_string::load(name);
  if (loaded.error()) {
    std::fprintf(stderr, "detectctl eval: cannot read %s: %s\n", name.c_str(), simdjson::error_message(loaded.error()));
    return false;
  }
  *out = std::move(loaded).value_unsafe();
  return true;
}

bool IsBlank(absl::string_view line) {
  for (char c : line) {
    if (c != ' ' && c != '\t' && c != '\r') return false;
  }
  return true;
}

}  // namespace

int RunEval(const Args& args) {
  const std::string format = absl::GetFlag(FLAGS_format);
  if (args.size() != 1 || (format != "text" && format != "ndjson")) {
    std::fprintf(stderr, "usage: detectctl eval --rules PATH [--format text|ndjson] FILE|-\n");
    return 2;
  }
  auto rules = LoadRulesFromFlags("eval");
  if (rules == nullptr) return 1;
  simdjson::padded_string input;
  if (!ReadInput(args[0], &input)) return 1;

  JsonEventParser parser(rules->options());
  EvalScratch scratch;
  EvalResult result;
  const std::string log_type = absl::GetFlag(FLAGS_log_type);
  const bool ndjson = format == "ndjson";
  size_t events = 0, matches = 0, errors = 0;
  std::string out;
  const auto start = std::chrono::steady_clock::now();
  absl::string_view data(input.data(), input.size());
  while (!data.empty()) {
    size_t end = data.find('\n');
    if (end == absl::string_view::npos) end = data.size();
    absl::string_view line = data.substr(0, end);
    data.remove_prefix(std::min(end + 1, data.size()));
    if (IsBlank(line)) continue;
    ++events;
    result.Clear();
    absl::StatusOr<Value> event = parser.Parse(line, /*padded=*/true);
    if (!event.ok()) {
      ++errors;
      std::fprintf(stderr, "line %zu: %s\n", events, std::string(event.status().message()).c_str());
      continue;
    }
    rules->Evaluate(*event, log_type, scratch, result);
    for (const Match& m : result.matches) {
      ++matches;
      out += ndjson ? FormatMatchNdjson(events, m.rule->id, SeverityName(m.severity), m.title, m.dedup)
                    : FormatMatchText(events, m.rule->id, SeverityName(m.severity), m.title);
    }
    for (const RuleError& e : result.errors) {
      ++errors;
      std::fprintf(stderr, "line %zu: rule %s: %s\n", events, rules->rule(e.rule_index).id.c_str(), e.message.c_str());
    }
    if (out.size() > (1 << 16)) {
      std::fwrite(out.data(), 1, out.size(), stdout);
      out.clear();
    }
  }
  std::fwrite(out.data(), 1, out.size(), stdout);
  std::fflush(stdout);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::fprintf(stderr, "events=%zu matches=%zu errors=%zu seconds=%.3f events_per_second=%.0f\n", events, matches,
               errors, seconds, seconds > 0 ? events / seconds : 0.0);
  return errors == 0 ? 0 : 1;
}

}  // namespace detect::client
