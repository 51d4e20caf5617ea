// JSON events: parses one event with simdjson's DOM and exposes it as a detect::Value. One JsonEventParser per
// thread is reused for every event, so parsing allocates nothing once its buffers have grown.
#ifndef DETECT_ENGINE_JSON_EVENT_H_
#define DETECT_ENGINE_JSON_EVENT_H_

#include <cstddef>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "engine/options.h"
#include "engine/value.h"
#include "simdjson.h"

namespace detect {

// Owns a simdjson parser and the document of the last parse. Values returned by Parse() stay valid until the
// next Parse() on the same object. Thread-compatible: use one per thread.
class JsonEventParser {
 public:
  explicit JsonEventParser(const EngineOptions& options = EngineOptions());
  JsonEventParser(const JsonEventParser&) = delete;
  JsonEventParser& operator=(const JsonEventParser&) = delete;

  // Parses `json` (one event). `padded` says that SIMDJSON_PADDING readable bytes follow json.end() (as in a
  // whole-file simdjson::padded_string), which saves a copy. Errors are InvalidArgument with a message naming
  // the limit or the JSON error: too large, nested too deep, not valid JSON, not an object.
  absl::StatusOr<Value> Parse(absl::string_view json, bool padded = false);

 private:
  simdjson::dom::parser parser_;
  size_t max_event_bytes_;
};

// Wraps an element of a simdjson document (kept alive by the caller) as a Value.
Value JsonElementToValue(simdjson::dom::element element);

// The simdjson element a Value of a parsed JSON event views (IsJsonNode(v) must hold): for engine internals
// that walk a document directly.
simdjson::dom::element JsonElementOf(const Value& v);
// True when `v` is a list or object of a simdjson document.
bool IsJsonNode(const Value& v);

}  // namespace detect

#endif  // DETECT_ENGINE_JSON_EVENT_H_
