// Python truthiness of event values.
#include "engine/value.h"

namespace detect {

bool IsTruthy(const Value& v) {
  switch (v.kind()) {
    case ValueKind::kMissing:
    case ValueKind::kNull: return false;
    case ValueKind::kBool: return v.bool_value();
    case ValueKind::kInt: return v.int_value() != 0;
    case ValueKind::kDouble: return v.double_value() != 0;
    case ValueKind::kString: return !v.string_value().empty();
    case ValueKind::kList:
    case ValueKind::kObject: return v.Size() != 0;
  }
  return false;
}

}  // namespace detect
