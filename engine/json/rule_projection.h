// The Projection (engine/json/projection.h) of a compiled rule set: every path from the event root that a
// rule's filters and detection, its alert templates (title, dedup, severity conditions, alert context,
// summary attributes, group-by, distinct field, alert-field lists) and hence the rule index read, plus what the
// engine itself reads (p_log_type, the fields Panther's p_any_* are derived from).
#ifndef DETECT_ENGINE_JSON_RULE_PROJECTION_H_
#define DETECT_ENGINE_JSON_RULE_PROJECTION_H_

#include <memory>
#include <vector>

#include "engine/internal/compiled_rule.h"
#include "engine/json/projection.h"
#include "engine/options.h"

namespace detect::json_internal {

// A path is projected up to its first list step (`a.b[*].c` keeps `a.b`, whose list is then read whole).
Projection ProjectionForRules(const std::vector<std::unique_ptr<engine_internal::CompiledRule>>& rules,
                              const EngineOptions& options);

}  // namespace detect::json_internal

#endif  // DETECT_ENGINE_JSON_RULE_PROJECTION_H_
