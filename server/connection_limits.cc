// gRPC channel arguments for per-connection limits, and why a listen address could not be bound.
#include "server/connection_limits.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace detect::server {

void ApplyConnectionLimits(const ConnectionLimits& limits, grpc::ServerBuilder* builder) {
  builder->AddChannelArgument(GRPC_ARG_ALLOW_REUSEPORT, limits.allow_port_reuse ? 1 : 0);
  if (limits.max_streams_per_connection > 0) {
    builder->AddChannelArgument(GRPC_ARG_MAX_CONCURRENT_STREAMS, limits.max_streams_per_connection);
  }
  builder->AddChannelArgument(GRPC_ARG_HTTP2_BDP_PROBE, limits.bdp_probe ? 1 : 0);
}

std::string DescribeListenFailure(const std::string& listen, bool allow_port_reuse) {
  const size_t colon = listen.rfind(':');
  if (colon == std::string::npos) return "";
  std::string host = listen.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  int port = 0;
  if (!absl::SimpleAtoi(listen.substr(colon + 1), &port) || port <= 0) return "";
  addrinfo hints{};
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
  addrinfo* found = nullptr;
  const std::string service = std::to_string(port);
  if (::getaddrinfo(host.empty() || host == "*" ? nullptr : host.c_str(), service.c_str(), &hints, &found) != 0) {
    return absl::StrCat("cannot resolve '", host, "'");
  }
  std::string why;
  for (addrinfo* a = found; a != nullptr && why.empty(); a = a->ai_next) {
    const int fd = ::socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, a->ai_protocol);
    if (fd < 0) continue;
    const int one = 1;
    ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));  // As gRPC does: TIME_WAIT is no conflict.
    if (allow_port_reuse) ::setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one));
    if (::bind(fd, a->ai_addr, a->ai_addrlen) != 0) {
      why = errno == EADDRINUSE
                ? absl::StrCat(listen, " is already in use by another process (another detectd?); detectd does "
                                       "not share a port unless --allow_port_reuse is given")
                : absl::StrCat("bind ", listen, ": ", std::strerror(errno));
    }
    ::close(fd);
  }
  ::freeaddrinfo(found);
  return why;
}

}  // namespace detect::server
