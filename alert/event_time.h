// Event time of an audit event for the event-time alert clock: `p_event_time`, else `requestReceivedTimestamp`,
// else `stageTimestamp`, in RFC 3339 (Kubernetes) or Panther's "2022-11-29 00:09:04.38" (UTC) form.
#ifndef DETECT_ALERT_EVENT_TIME_H_
#define DETECT_ALERT_EVENT_TIME_H_

#include <optional>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace detect::alert {

// One timestamp in either accepted form; nullopt when it is neither.
std::optional<absl::Time> ParseEventTimestamp(absl::string_view text);

// The event time of one JSON event (an object); nullopt when it has none of the three fields or it is malformed.
// Thread-safe (a parser per thread).
std::optional<absl::Time> EventTimeOfJson(absl::string_view json);

// The three field names, in order of preference.
inline constexpr absl::string_view kEventTimeFields[] = {"p_event_time", "requestReceivedTimestamp",
                                                         "stageTimestamp"};

}  // namespace detect::alert

#endif  // DETECT_ALERT_EVENT_TIME_H_
