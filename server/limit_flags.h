// detectd's flags for the limits that protect it from hostile clients and a bad day (issue 12): their
// ABSL_FLAG definitions live in limit_flags.cc, apart from main.cc's, and ApplyLimitFlags copies them into
// DaemonOptions. Linked into the detectd executable only.
#ifndef DETECT_SERVER_LIMIT_FLAGS_H_
#define DETECT_SERVER_LIMIT_FLAGS_H_

#include "server/daemon.h"

namespace detect::server {

// Sets the fields of `options` these flags own (options->connection among them).
void ApplyLimitFlags(DaemonOptions* options);

}  // namespace detect::server

#endif  // DETECT_SERVER_LIMIT_FLAGS_H_
