// RuleMetaOf.
#include "alert/rule_meta.h"

namespace detect::alert {

std::shared_ptr<const RuleMeta> RuleMetaOf(const RuleInfo& rule) {
  auto meta = std::make_shared<RuleMeta>();
  meta->id = rule.id;
  meta->display_name = rule.display_name;
  meta->description = rule.description;
  meta->runbook = rule.runbook;
  meta->reference = rule.reference;
  meta->tags = rule.tags;
  for (const auto& [framework, ids] : rule.reports) {
    if (framework == "MITRE ATT&CK") meta->mitre.insert(meta->mitre.end(), ids.begin(), ids.end());
  }
  meta->dedup_period_minutes = rule.dedup_period_minutes;
  meta->threshold = rule.threshold;
  meta->threshold_field = rule.threshold_distinct_field;
  return meta;
}

}  // namespace detect::alert
