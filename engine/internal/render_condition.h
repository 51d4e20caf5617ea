// A compiled condition as `describe` and `explain` print it: `user.username eq "system:anonymous"`,
// `(a and b)`, `not (...)`. Defined in engine/analysis/rule_analysis.cc.
#ifndef DETECT_ENGINE_INTERNAL_RENDER_CONDITION_H_
#define DETECT_ENGINE_INTERNAL_RENDER_CONDITION_H_

#include <string>

#include "engine/internal/expr.h"

namespace detect::engine_internal {

std::string RenderCondition(const Expr& expr);

}  // namespace detect::engine_internal

#endif  // DETECT_ENGINE_INTERNAL_RENDER_CONDITION_H_
