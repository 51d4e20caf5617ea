// detectd's flags for the ingest listener's senders beyond the bearer token: Amazon Data Firehose's access key
// and event labels (and the ingest port's client CA). Their ABSL_FLAG definitions live in ingest_auth_flags.cc,
// apart from main.cc's; ApplyIngestAuthFlags copies them into IngestOptions. Linked into detectd only.
#ifndef DETECT_SERVER_INGEST_INGEST_AUTH_FLAGS_H_
#define DETECT_SERVER_INGEST_INGEST_AUTH_FLAGS_H_

#include "server/ingest/ingest_server.h"

namespace detect::server {

// Sets the fields of `options` these flags own.
void ApplyIngestAuthFlags(IngestOptions* options);

}  // namespace detect::server

#endif  // DETECT_SERVER_INGEST_INGEST_AUTH_FLAGS_H_
