// Literal: a constant from a rule file, typed by the YAML 1.2 core schema (so `Yes` is a string and `0644` the
// integer 644), viewable as a Value for comparisons.
#ifndef DETECT_ENGINE_INTERNAL_LITERAL_H_
#define DETECT_ENGINE_INTERNAL_LITERAL_H_

#include <cstdint>
#include <string>
#include <vector>

#include "engine/value.h"

namespace detect::engine_internal {

struct Literal {
  ValueKind kind = ValueKind::kNull;
  bool b = false;
  int64_t i = 0;
  double d = 0;
  std::string s;
  std::vector<Literal> list;  // kList: `Value: [a, b]` for list equality.

  Value AsValue() const {
    switch (kind) {
      case ValueKind::kBool: return Value::Bool(b);
      case ValueKind::kInt: return Value::Int(i);
      case ValueKind::kDouble: return Value::Double(d);
      case ValueKind::kString: return Value::String(s);
      case ValueKind::kList: return ListValue();
      default: return Value::Null();
    }
  }

 private:
  Value ListValue() const;
};

}  // namespace detect::engine_internal

#endif  // DETECT_ENGINE_INTERNAL_LITERAL_H_
