// One JSON spelling for what detectctl prints from both the engine (JSON text) and detectd (protobuf Values):
// json.dumps(sort_keys=True) style: ", " and ": " separators, non-ASCII escaped as \uXXXX, object keys sorted,
// integral numbers up to 2^53 without a fraction ("5", never "5.0"), others in the shortest form that reads
// back the same. So `detectctl eval` and `evaluate` print the same bytes for the same alert context.
#ifndef DETECT_CLIENT_CANONICAL_JSON_H_
#define DETECT_CLIENT_CANONICAL_JSON_H_

#include <string>

#include "absl/strings/string_view.h"
#include "simdjson.h"

namespace detect::client {

// Appends `element` in the canonical spelling.
void AppendCanonicalJson(simdjson::dom::element element, std::string& out);
// A number in the canonical spelling.
void AppendCanonicalNumber(double value, std::string& out);
// `json` re-spelt canonically; the text itself (as a JSON string) if it does not parse.
std::string CanonicalJson(absl::string_view json);

}  // namespace detect::client

#endif  // DETECT_CLIENT_CANONICAL_JSON_H_
