// simdjson DOM elements as detect::Values, for engine internals that walk a parsed JSON document directly
// (root projection, Kubernetes views, lookup tables). Defined in engine/json_event.cc.
#ifndef DETECT_ENGINE_INTERNAL_JSON_ELEMENT_H_
#define DETECT_ENGINE_INTERNAL_JSON_ELEMENT_H_

#include "engine/value.h"
#include "simdjson.h"

namespace detect {

// Wraps an element of a simdjson document (kept alive by the caller) as a Value.
Value JsonElementToValue(simdjson::dom::element element);

// The simdjson element a Value of a parsed JSON event views (IsJsonNode(v) must hold).
simdjson::dom::element JsonElementOf(const Value& v);
// True when `v` is a list or object of a simdjson document.
bool IsJsonNode(const Value& v);

}  // namespace detect

#endif  // DETECT_ENGINE_INTERNAL_JSON_ELEMENT_H_
