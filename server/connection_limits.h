// What one client connection may cost and how the listening socket is shared: the gRPC channel arguments that
// bound HTTP/2 per connection (concurrent streams, BDP probing) and SO_REUSEPORT, which gRPC turns on by
// default and which lets a second detectd bind a port another one already serves (clients then alternate
// between two rule sets). docs/reliability.md has the attacks these bound.
#ifndef DETECT_SERVER_CONNECTION_LIMITS_H_
#define DETECT_SERVER_CONNECTION_LIMITS_H_

#include <string>

#include "grpcpp/server_builder.h"

namespace detect::server {

struct ConnectionLimits {
  // Share the port with other processes (SO_REUSEPORT). Off: a second detectd on a port in use refuses to
  // start.
  bool allow_port_reuse = false;
  // HTTP/2 SETTINGS_MAX_CONCURRENT_STREAMS: calls one connection may have open at once; gRPC refuses more
  // (REFUSED_STREAM). Bounds what one connection can hold, whatever the client sends. 0: gRPC's default
  // (unbounded).
  int max_streams_per_connection = 100;
  // gRPC's bandwidth-delay-product probing grows flow-control windows (memory per stream) on fast links; off
  // keeps each stream's window at its initial 64 KiB.
  bool bdp_probe = false;
};

// Sets the channel arguments for `limits` on `builder`.
void ApplyConnectionLimits(const ConnectionLimits& limits, grpc::ServerBuilder* builder);

// Why a listening socket on `listen` (HOST:PORT) cannot be made, as detectd would make it (no SO_REUSEPORT
// unless `allow_port_reuse`): e.g. "127.0.0.1:50051 is already in use by another process". Empty when a bind
// succeeds now (the failure was something else) or the address does not parse.
std::string DescribeListenFailure(const std::string& listen, bool allow_port_reuse);

}  // namespace detect::server

#endif  // DETECT_SERVER_CONNECTION_LIMITS_H_
