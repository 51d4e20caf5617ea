// The one bridge from absl::Status (used everywhere inside detectd) to grpc::Status (only at the RPC edge).
#ifndef DETECT_SERVER_STATUS_BRIDGE_H_
#define DETECT_SERVER_STATUS_BRIDGE_H_

#include "absl/status/status.h"
#include "grpcpp/support/status.h"

namespace detect::server {

// Codes map 1:1 (both are google.rpc.Code); the message is kept.
grpc::Status ToGrpcStatus(const absl::Status& status);

}  // namespace detect::server

#endif  // DETECT_SERVER_STATUS_BRIDGE_H_
