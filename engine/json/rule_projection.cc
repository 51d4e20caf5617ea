// Collects the key paths of a rule set for its Projection: see rule_projection.h.
#include "engine/json/rule_projection.h"

#include <string>

#include "engine/internal/expr.h"
#include "engine/internal/field_path.h"

namespace detect::json_internal {
namespace {

using engine_internal::Expr;
using engine_internal::FieldPath;
using engine_internal::PathStep;

class PathCollector {
 public:
  void Path(const FieldPath& p) {
    std::vector<std::string> keys;
    for (const PathStep& s : p.steps) {
      if (s.kind != PathStep::kKey) break;
      keys.push_back(s.key);
    }
    if (!keys.empty()) paths_.push_back(std::move(keys));
  }
  void Keys(std::vector<std::string> keys) { paths_.push_back(std::move(keys)); }
  // Paths inside comprehensions are relative to list elements: their list is read whole.
  void Exprs(const std::vector<Expr>& exprs) {
    for (const Expr& e : exprs) {
      Path(e.path);
      Path(e.other_path);
      if (!engine_internal::IsComprehension(e.op)) Exprs(e.children);
    }
  }
  std::vector<std::vector<std::string>> Take() { return std::move(paths_); }

 private:
  std::vector<std::vector<std::string>> paths_;
};

}  // namespace

Projection ProjectionForRules(const std::vector<std::unique_ptr<engine_internal::CompiledRule>>& rules,
                              const EngineOptions& options) {
  PathCollector c;
  for (const auto& rule : rules) {
    const engine_internal::CompiledRule& r = *rule;
    c.Exprs(r.inline_filters);
    c.Exprs(r.detection);
    for (const auto& v : r.titles) {
      c.Exprs(v.conditions);
      for (const auto& part : v.value.parts) c.Path(part.path);
    }
    for (const auto& v : r.dedups) {
      c.Exprs(v.conditions);
      for (const auto& part : v.value.parts) c.Path(part.path);
    }
    for (const auto& v : r.dynamic_severities) c.Exprs(v.conditions);
    for (const auto& p : r.group_by) c.Path(p);
    for (const auto& [name, p] : r.alert_context) c.Path(p);
    for (const auto& p : r.summary_paths) c.Path(p);
    c.Path(r.distinct_path);
    for (const auto& f : r.alert_fields) c.Path(f.list);
  }
  // The engine's own reads: the log type, and what p_any_* are derived from (engine/internal/panther_fields).
  c.Keys({"p_log_type"});
  if (options.derive_panther_fields) {
    c.Keys({"sourceIPs"});
    c.Keys({"user", "username"});
    c.Keys({"user", "extra", "arn"});
    c.Keys({"impersonatedUser", "username"});
  }
  return Projection::Build(c.Take());
}

}  // namespace detect::json_internal
