// RuleMetaOf: the alert fields of one loaded rule (id, metadata, DedupPeriodMinutes, Threshold), shared by the
// server's alerting decorator and `detectctl eval --alerts` so that online alerts and offline replay agree.
#ifndef DETECT_ALERT_RULE_META_H_
#define DETECT_ALERT_RULE_META_H_

#include <memory>

#include "alert/alert.h"
#include "engine/rule.h"

namespace detect::alert {

// Pure; the result is immutable and shared by every match of the rule.
std::shared_ptr<const RuleMeta> RuleMetaOf(const RuleInfo& rule);

}  // namespace detect::alert

#endif  // DETECT_ALERT_RULE_META_H_
