// JSON events: parses one event with simdjson's DOM and exposes it as a detect::Value. One JsonEventParser per
// thread is reused for every event, so parsing allocates nothing once its buffers have grown.
#ifndef DETECT_ENGINE_JSON_EVENT_H_
#define DETECT_ENGINE_JSON_EVENT_H_

#include <cstddef>
#include <memory>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "engine/options.h"
#include "engine/value.h"

namespace detect {

class RuleSet;

// Owns a simdjson parser (opaque here) and the document of the last parse (and, for the On-Demand read, the
// projected values of the last event). Values returned by Parse() stay
// valid until the next Parse() on the same object. Thread-compatible: use one per thread.
class JsonEventParser {
 public:
  explicit JsonEventParser(const EngineOptions& options = EngineOptions());
  ~JsonEventParser();
  JsonEventParser(const JsonEventParser&) = delete;
  JsonEventParser& operator=(const JsonEventParser&) = delete;

  // Readable bytes past an input's end that make `padded` true below (simdjson's SIMDJSON_PADDING).
  static constexpr size_t kPadding = 64;

  // Parses `json` (one event). `padded` says that kPadding readable bytes follow json.end() (as in a
  // whole-file simdjson::padded_string), which saves a copy. Errors are InvalidArgument with a message naming
  // the limit or the JSON error: too large, nested too deep, not valid JSON, not an object.
  absl::StatusOr<Value> Parse(absl::string_view json, bool padded = false);

  // EngineOptions::json_read of the options this parser was made with: how RuleSet::ParseJson reads events.
  EngineOptions::JsonRead json_read() const { return json_read_; }

 private:
  friend class RuleSet;
  // RuleSet::ParseJson's read: with kOnDemand, the On-Demand pass over `rules`' projection (falling back to
  // Parse() for whatever it cannot vouch for); with kDom, Parse().
  absl::StatusOr<Value> ParseFor(const RuleSet& rules, absl::string_view json, bool padded);

  class Impl;  // The simdjson parsers: engine/json_event.cc.
  std::unique_ptr<Impl> impl_;
  size_t max_event_bytes_;
  EngineOptions::JsonRead json_read_;
};

}  // namespace detect

#endif  // DETECT_ENGINE_JSON_EVENT_H_
