// Offline alert replay for `detectctl eval --alerts` (see eval_alerts.cc).
#ifndef DETECT_CLIENT_EVAL_ALERTS_H_
#define DETECT_CLIENT_EVAL_ALERTS_H_

#include <string>

#include "client/event_reader.h"
#include "engine/rule_set.h"

namespace detect::client {

// Prints the alerts `batch` would have produced (NDJSON alert objects, or a table) and a summary line on
// stderr. Returns the exit status: 1 if an event or a rule failed, else 0.
int ReplayAlerts(const RuleSet& rules, const EventBatch& batch, const std::string& log_type, bool ndjson);

}  // namespace detect::client

#endif  // DETECT_CLIENT_EVAL_ALERTS_H_
