// `detectctl eval --rules PATH FILE|-`: evaluates an NDJSON file in-process, one line per match, optionally on
// several threads (the input is split into slices; output keeps input order).
#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <cstdio>
#include <iostream>
#include <iterator>
#include <string>
#include <thread>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/strings/str_cat.h"
#include "client/commands.h"
#include "client/flags.h"
#include "client/match_format.h"
#include "client/rule_loading.h"
#include "engine/json_event.h"
#include "engine/rule_set.h"
#include "simdjson.h"

namespace detect::client {
namespace {

// Reads FILE (or stdin for "-") into a buffer with simdjson's padding, so lines parse in place. Reads to the
// end rather than asking the size, so pipes (`<(zcat x.gz)`) work as well as files.
bool ReadInput(const std::string& name, simdjson::padded_string* out) {
  FILE* f = name == "-" ? stdin : std::fopen(name.c_str(), "rb");
  if (f == nullptr) {
    std::fprintf(stderr, "detectctl eval: cannot read %s: %s\n", name.c_str(), std::strerror(errno));
    return false;
  }
  std::string data;
  char buf[1 << 16];
  for (size_t n; (n = std::fread(buf, 1, sizeof(buf), f)) > 0;) data.append(buf, n);
  const bool failed = std::ferror(f) != 0;
  const int error = errno;
  if (f != stdin) std::fclose(f);
  if (failed) {
    std::fprintf(stderr, "detectctl eval: cannot read %s: %s\n", name.c_str(), std::strerror(error));
    return false;
  }
  *out = simdjson::padded_string(data);
  return true;
}

bool IsBlank(absl::string_view line) {
  for (char c : line) {
    if (c != ' ' && c != '\t' && c != '\r') return false;
  }
  return true;
}

// Calls fn(line) for each non-blank line of `data`.
template <typename Fn>
void ForEachLine(absl::string_view data, Fn fn) {
  while (!data.empty()) {
    size_t end = data.find('\n');
    if (end == absl::string_view::npos) end = data.size();
    absl::string_view line = data.substr(0, end);
    data.remove_prefix(std::min(end + 1, data.size()));
    if (!IsBlank(line)) fn(line);
  }
}

// One thread's share of the input and what it produced.
struct Slice {
  absl::string_view data;
  size_t line_count = 0;  // Non-blank lines in `data`.
  size_t first_line = 1;  // 1-based number of the slice's first non-blank line in the whole input.
  size_t events = 0, matches = 0, errors = 0;
  std::string out;
  std::string diagnostics;
};

void EvaluateSlice(const RuleSet& rules, const std::string& log_type, bool ndjson, Slice& slice) {
  JsonEventParser parser(rules.options());
  EvalScratch scratch;
  EvalResult result;
  size_t line_number = slice.first_line;
  ForEachLine(slice.data, [&](absl::string_view line) {
    const size_t n = line_number++;
    ++slice.events;
    result.Clear();
    absl::StatusOr<Value> event = parser.Parse(line, /*padded=*/true);
    if (!event.ok()) {
      ++slice.errors;
      absl::StrAppend(&slice.diagnostics, "line ", n, ": ", event.status().message(), "\n");
      return;
    }
    rules.Evaluate(*event, log_type, scratch, result);
    for (const Match& m : result.matches) {
      ++slice.matches;
      slice.out += ndjson ? FormatMatchNdjson(n, m.rule->id, SeverityName(m.severity), m.title, m.dedup)
                          : FormatMatchText(n, m.rule->id, SeverityName(m.severity), m.title);
    }
    for (const RuleError& e : result.errors) {
      ++slice.errors;
      absl::StrAppend(&slice.diagnostics, "line ", n, ": rule ", rules.rule(e.rule_index).id, ": ", e.message, "\n");
    }
  });
}

// Splits `data` at line boundaries into `n` slices of about equal size.
std::vector<Slice> Split(absl::string_view data, int n) {
  std::vector<Slice> slices(n);
  size_t start = 0;
  for (int i = 0; i < n; ++i) {
    size_t end = i == n - 1 ? data.size() : data.find('\n', std::max(start, data.size() * (i + 1) / n));
    end = end == absl::string_view::npos ? data.size() : std::min(end + 1, data.size());
    slices[i].data = data.substr(start, end - start);
    start = end;
  }
  return slices;
}

template <typename Fn>
void RunOnThreads(std::vector<Slice>& slices, Fn fn) {
  std::vector<std::thread> threads;
  for (Slice& s : slices) threads.emplace_back([&fn, &s] { fn(s); });
  for (auto& t : threads) t.join();
}

}  // namespace

int RunEval(const Args& args) {
  const std::string format = absl::GetFlag(FLAGS_format);
  const int threads = absl::GetFlag(FLAGS_threads);
  if (args.size() != 1 || (format != "text" && format != "ndjson") || threads < 1 || threads > 256) {
    std::fprintf(stderr, "usage: detectctl eval --rules PATH [--format text|ndjson] [--threads N] FILE|-\n");
    return 2;
  }
  const auto load_start = std::chrono::steady_clock::now();
  auto rules = LoadRulesFromFlags("eval");
  if (rules == nullptr) return 1;
  const double load_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - load_start).count();
  simdjson::padded_string input;
  if (!ReadInput(args[0], &input)) return 1;

  const std::string log_type = absl::GetFlag(FLAGS_log_type);
  std::vector<Slice> slices = Split(absl::string_view(input.data(), input.size()), threads);
  const auto start = std::chrono::steady_clock::now();
  if (threads > 1) {  // Line numbers of each slice: count first (cheap), then evaluate.
    RunOnThreads(slices, [](Slice& s) { ForEachLine(s.data, [&s](absl::string_view) { ++s.line_count; }); });
    size_t next = 1;
    for (Slice& s : slices) {
      s.first_line = next;
      next += s.line_count;
    }
  }
  RunOnThreads(slices, [&](Slice& s) { EvaluateSlice(*rules, log_type, format == "ndjson", s); });
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

  size_t events = 0, matches = 0, errors = 0;
  for (const Slice& s : slices) {
    std::fwrite(s.out.data(), 1, s.out.size(), stdout);
    std::fputs(s.diagnostics.c_str(), stderr);
    events += s.events, matches += s.matches, errors += s.errors;
  }
  std::fflush(stdout);
  std::fprintf(stderr,
               "events=%zu matches=%zu errors=%zu rules=%zu load_seconds=%.3f threads=%d seconds=%.3f "
               "events_per_second=%.0f\n",
               events, matches, errors, rules->size(), load_seconds, threads, seconds,
               seconds > 0 ? events / seconds : 0.0);
  return errors == 0 ? 0 : 1;
}

}  // namespace detect::client
