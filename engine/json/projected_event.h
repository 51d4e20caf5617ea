// ProjectedEvent: reads one JSON event with simdjson On-Demand in a single forward pass and keeps only the
// values at the nodes of a Projection (engine/json/projection.h); the result is a detect::Value whose own
// NodeAdapter serves rules' reads from those slots. Everything the pass skips is still validated, so an event
// is accepted exactly when simdjson's DOM would accept it; anything the pass is not sure of (an error, a big
// integer, nesting near the depth limit) makes Read() return false and the caller parses with the DOM.
//
// Reads outside the projection (a key no rule names, iterating an object, a list holding objects or lists)
// parse the whole event with the DOM once, lazily, and are answered from it: the same values the DOM path
// gives, at the DOM's price, only for the events and rules that need it.
#ifndef DETECT_ENGINE_JSON_PROJECTED_EVENT_H_
#define DETECT_ENGINE_JSON_PROJECTED_EVENT_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "absl/strings/string_view.h"
#include "engine/json/projection.h"
#include "engine/value.h"
#include "simdjson.h"

namespace detect::json_internal {

// Per-thread state of the projected read of one event at a time. Values from Read() live until the next
// Read() and need the json passed to it to stay alive (strings without escapes point into it when padded).
// Thread-compatible.
class ProjectedEvent {
 public:
  // `dom` parses the event when a read leaves the projection; it is shared with the caller's DOM path and
  // must outlive this object. `max_depth`: EngineOptions::max_event_depth.
  ProjectedEvent(simdjson::dom::parser* dom, size_t max_depth);
  ProjectedEvent(const ProjectedEvent&) = delete;
  ProjectedEvent& operator=(const ProjectedEvent&) = delete;

  // Reads `json` (one event) for `projection`, which must outlive the returned Value. True with *root set
  // when the event is a valid JSON object read in full; false when the caller must parse it with the DOM
  // (which then gives the exact error, or the value). `padded`: SIMDJSON_PADDING readable bytes follow json.
  bool Read(absl::string_view json, bool padded, const Projection& projection, Value* root);

  // For tests: how many events since construction needed the lazy DOM parse.
  size_t lazy_parses() const { return lazy_parses_; }

 private:
  friend class ProjectedAdapter;

  bool ReadObject(simdjson::ondemand::object object, int node, size_t depth);
  bool ReadArray(simdjson::ondemand::array array, int node, size_t depth);
  // Validates and consumes one value; stores it in node's slot when node >= 0, in *out when out is set.
  // *container is set when the value is an object or a list.
  bool ReadValue(simdjson::ondemand::value value, int node, size_t depth, Value* out, bool* container);
  void Assign(int node, const Value& v);
  // The value at `node` in the current event (missing when the event has none).
  Value Slot(int node) const {
    const size_t n = static_cast<size_t>(node);
    return stamps_[n] == epoch_ ? slots_[n] : Value();
  }
  // The value of `node` as the DOM path sees it (parsing the event with the DOM first, once per event).
  Value Dom(int node);

  simdjson::dom::parser* dom_;
  size_t max_depth_;
  simdjson::ondemand::parser ondemand_;
  std::unique_ptr<char[]> copy_;  // Padded copy of an unpadded event.
  size_t copy_capacity_ = 0;
  const char* json_ = nullptr;    // The event being read (padded).
  size_t json_size_ = 0;
  bool backslashes_ = false;      // Whether the event holds a backslash anywhere.
  const Projection* projection_ = nullptr;
  std::vector<Value> slots_;                                  // Per projection node; valid when stamped.
  std::vector<uint32_t> stamps_;                              // Per node: the epoch its slot was set in.
  uint32_t epoch_ = 0;                                        // Per event; never 0 while reading one.
  std::vector<uint32_t> list_begin_, list_size_;              // Per node whose value is a list.
  static constexpr uint32_t kLazyList = UINT32_MAX;           // list_size_ of a list holding containers.
  std::vector<Value> elements_;                               // Scalar elements of projected lists.
  bool dom_parsed_ = false;
  bool dom_ok_ = false;
  simdjson::dom::element dom_root_;
  size_t lazy_parses_ = 0;
};

}  // namespace detect::json_internal

#endif  // DETECT_ENGINE_JSON_PROJECTED_EVENT_H_
