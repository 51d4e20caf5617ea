// detectd's --alert* flags (defined in alert_flags.cc, linked into detectd only), read into AlertOptions.
#ifndef DETECT_SERVER_ALERTS_ALERT_FLAGS_H_
#define DETECT_SERVER_ALERTS_ALERT_FLAGS_H_

#include "absl/status/statusor.h"
#include "server/alerts/alert_options.h"

namespace detect::server {

// InvalidArgument naming the flag for a value out of range (e.g. --alert_clock=wall).
absl::StatusOr<AlertOptions> AlertOptionsFromFlags();

}  // namespace detect::server

#endif  // DETECT_SERVER_ALERTS_ALERT_FLAGS_H_
