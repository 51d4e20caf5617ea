// Text forms of event values: Python's str() (what a Panther title shows) and JSON (summary attributes and
// alert context in results).
#ifndef DETECT_ENGINE_INTERNAL_VALUE_TEXT_H_
#define DETECT_ENGINE_INTERNAL_VALUE_TEXT_H_

#include <string>

#include "engine/value.h"

namespace detect::engine_internal {

// Python str(): strings as they are, True/False, None, 1.0, ['a', 1] for lists, {'k': 'v'} for objects.
void AppendPythonStr(const Value& v, std::string& out);
// JSON text; Missing is null. Non-finite numbers are null.
void AppendJson(const Value& v, std::string& out);
// A double as Python's repr() prints it (shortest round-trip, with ".0" for integral values).
void AppendPythonFloat(double d, std::string& out);

}  // namespace detect::engine_internal

#endif  // DETECT_ENGINE_INTERNAL_VALUE_TEXT_H_
