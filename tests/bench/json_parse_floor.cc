// The floor of JSON evaluation: parses every line of an NDJSON file with simdjson's DOM (one reused parser,
// as the engine's oracle path does) and touches one field, nothing else. `run_all.sh` reports every engine
// figure against it. With --ondemand, the same with simdjson On-Demand: the event is indexed (stage 1: UTF-8
// and structure) and only "verb" is read, the other values are skipped unvalidated: the floor of a projection.
//
// The lines are found before the clock starts, as `detectctl eval` finds its events before timing them: besides
// being the same work on both sides, it touches the input once (the first pass over freshly read memory cost
// this machine 5x the parse itself: 0.35 s against 0.063 s for 200,000 events).
//
// Usage: json_parse_floor FILE [--threads N] [--ondemand]
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string_view>
#include <thread>
#include <vector>

#include "simdjson.h"

namespace {

using Lines = std::vector<std::string_view>;

// The non-empty lines of `data`.
Lines SplitLines(std::string_view data) {
  Lines lines;
  while (!data.empty()) {
    size_t end = data.find('\n');
    if (end == std::string_view::npos) end = data.size();
    std::string_view line = data.substr(0, end);
    data.remove_prefix(end == data.size() ? end : end + 1);
    if (!line.empty()) lines.push_back(line);
  }
  return lines;
}

// Parses lines [begin, end); returns how many events had a string "verb".
size_t ParseRange(const Lines& lines, size_t begin, size_t end, size_t* events) {
  simdjson::dom::parser parser;
  size_t with_verb = 0;
  for (size_t i = begin; i < end; ++i) {
    simdjson::dom::element doc;
    if (parser.parse(lines[i].data(), lines[i].size(), false).get(doc)) continue;
    ++*events;
    std::string_view verb;
    if (!doc["verb"].get(verb)) ++with_verb;
  }
  return with_verb;
}

// The same with simdjson On-Demand. Lines are views of a padded_string: SIMDJSON_PADDING bytes follow each.
size_t OnDemandRange(const Lines& lines, size_t begin, size_t end, size_t* events) {
  simdjson::ondemand::parser parser;
  size_t with_verb = 0;
  for (size_t i = begin; i < end; ++i) {
    const std::string_view line = lines[i];
    simdjson::ondemand::document doc;
    if (parser.iterate(simdjson::padded_string_view(line.data(), line.size(), line.size() + simdjson::SIMDJSON_PADDING))
            .get(doc)) {
      continue;
    }
    ++*events;
    std::string_view verb;
    if (!doc["verb"].get_string().get(verb)) ++with_verb;
  }
  return with_verb;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: json_parse_floor FILE [--threads N] [--ondemand]\n");
    return 2;
  }
  int threads = 1;
  bool ondemand = false;
  for (int i = 2; i < argc; ++i) {
    if (std::strcmp(argv[i], "--threads") == 0 && i + 1 < argc) {
      threads = std::atoi(argv[++i]);
    } else if (std::strcmp(argv[i], "--ondemand") == 0) {
      ondemand = true;
    } else {
      std::fprintf(stderr, "unknown argument %s\n", argv[i]);
      return 2;
    }
  }
  auto loaded = simdjson::padded_string::load(argv[1]);
  if (loaded.error()) {
    std::fprintf(stderr, "cannot read %s\n", argv[1]);
    return 1;
  }
  const simdjson::padded_string input = std::move(loaded).value_unsafe();
  const Lines lines = SplitLines(std::string_view(input.data(), input.size()));
  if (threads < 1) threads = 1;
  std::vector<size_t> events(threads, 0), verbs(threads, 0);
  const auto begin = std::chrono::steady_clock::now();
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t) workers.emplace_back([&, t] {
      // One slice of the lines per thread.
      const size_t from = lines.size() * t / threads, to = lines.size() * (t + 1) / threads;
      verbs[t] = ondemand ? OnDemandRange(lines, from, to, &events[t]) : ParseRange(lines, from, to, &events[t]);
    });
  for (auto& w : workers) w.join();
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - begin).count();
  size_t total = 0, with_verb = 0;
  for (int t = 0; t < threads; ++t) total += events[t], with_verb += verbs[t];
  std::printf("events=%zu with_verb=%zu seconds=%.3f events_per_second=%.0f bytes_per_second=%.0f\n", total,
              with_verb, seconds, total / seconds, input.size() / seconds);
  return 0;
}
