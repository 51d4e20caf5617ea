// absl::StatusCode and grpc::StatusCode are both google.rpc.Code: the numeric values are equal by contract.
#include "server/status_bridge.h"

#include <string>

namespace detect::server {

static_assert(static_cast<int>(absl::StatusCode::kInvalidArgument) ==
                  static_cast<int>(grpc::StatusCode::INVALID_ARGUMENT) &&
              static_cast<int>(absl::StatusCode::kResourceExhausted) ==
                  static_cast<int>(grpc::StatusCode::RESOURCE_EXHAUSTED) &&
              static_cast<int>(absl::StatusCode::kUnauthenticated) ==
                  static_cast<int>(grpc::StatusCode::UNAUTHENTICATED),
              "absl and gRPC status codes must both be google.rpc.Code");

grpc::Status ToGrpcStatus(const absl::Status& status) {
  if (status.ok()) return grpc::Status::OK;
  const int code = static_cast<int>(status.code());
  // Codes outside google.rpc.Code (absl allows any int) become UNKNOWN rather than an invalid gRPC code.
  const grpc::StatusCode grpc_code =
      (code > 0 && code <= static_cast<int>(grpc::StatusCode::UNAUTHENTICATED))
          ? static_cast<grpc::StatusCode>(code)
          : grpc::StatusCode::UNKNOWN;
  return grpc::Status(grpc_code, std::string(status.message()));
}

}  // namespace detect::server
