// gRPC channels for the online detectctl subcommands: plaintext, TLS (--tls, --tls_ca), or mTLS (--tls_cert,
// --tls_key), from the flags in client/flags.h.
#ifndef DETECT_CLIENT_GRPC_CHANNEL_H_
#define DETECT_CLIENT_GRPC_CHANNEL_H_

#include <chrono>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "detect/v1/detect.grpc.pb.h"
#include "grpcpp/channel.h"
#include "grpcpp/support/status.h"

namespace detect::client {

struct ChannelOptions {
  std::string server;       // HOST:PORT
  bool tls = false;         // Implied by any of the PEM files below.
  std::string ca_file;      // Roots to verify the server with; empty: the system roots.
  std::string cert_file;    // Client certificate (mTLS), with key_file.
  std::string key_file;
  std::string server_name;  // Overrides the name verified in the server's certificate.
};

// From --server, --tls, --tls_ca, --tls_cert, --tls_key, --tls_server_name.
ChannelOptions ChannelOptionsFromFlags();

// A channel (not yet connected). `index` > 0 gives a channel of its own connection (bench workers).
// InvalidArgument when a PEM file cannot be read or only one of cert/key is given.
absl::StatusOr<std::shared_ptr<grpc::Channel>> MakeChannel(const ChannelOptions& options, int index = 0);

// A DetectionService stub on MakeChannel(ChannelOptionsFromFlags()).
absl::StatusOr<std::unique_ptr<v1::DetectionService::Stub>> StubFromFlags();

// "message (gRPC code N)" plus, when an UNAVAILABLE failure looks like a TLS mismatch (a plaintext client
// whose connection the server closed, or a TLS handshake that failed), a hint about --tls.
std::string RpcErrorText(const grpc::Status& status, const ChannelOptions& options);

// Now plus --timeout: the deadline of one unary call.
std::chrono::system_clock::time_point CallDeadlineFromFlags();

}  // namespace detect::client

#endif  // DETECT_CLIENT_GRPC_CHANNEL_H_
