// ToGrpcStatus: every canonical code maps 1:1 and keeps its message.
#include "server/status_bridge.h"

#include <string>

#include "gtest/gtest.h"

namespace detect::server {
namespace {

struct Case {
  std::string name;
  absl::Status status;
  grpc::StatusCode code;
};

class StatusBridgeTest : public ::testing::TestWithParam<Case> {};

TEST_P(StatusBridgeTest, MapsCodeAndMessage) {
  const grpc::Status s = ToGrpcStatus(GetParam().status);
  EXPECT_EQ(s.error_code(), GetParam().code);
  EXPECT_EQ(s.error_message(), std::string(GetParam().status.message()));
}

INSTANTIATE_TEST_SUITE_P(
    Codes, StatusBridgeTest,
    ::testing::Values(Case{"Ok", absl::OkStatus(), grpc::StatusCode::OK},
                      Case{"InvalidArgument", absl::InvalidArgumentError("bad"), grpc::StatusCode::INVALID_ARGUMENT},
                      Case{"NotFound", absl::NotFoundError("nf"), grpc::StatusCode::NOT_FOUND},
                      Case{"FailedPrecondition", absl::FailedPreconditionError("fp"),
                           grpc::StatusCode::FAILED_PRECONDITION},
                      Case{"ResourceExhausted", absl::ResourceExhaustedError("re"),
                           grpc::StatusCode::RESOURCE_EXHAUSTED},
                      Case{"Internal", absl::InternalError("in"), grpc::StatusCode::INTERNAL},
                      Case{"Unavailable", absl::UnavailableError("un"), grpc::StatusCode::UNAVAILABLE},
                      Case{"Unauthenticated", absl::UnauthenticatedError("ua"), grpc::StatusCode::UNAUTHENTICATED},
                      Case{"OutOfRangeCode", absl::Status(static_cast<absl::StatusCode>(42), "odd"),
                           grpc::StatusCode::UNKNOWN}),
    [](const ::testing::TestParamInfo<Case>& info) { return info.param.name; });

}  // namespace
}  // namespace detect::server
