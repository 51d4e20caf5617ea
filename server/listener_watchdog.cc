// Probing our own listening socket: see listener_watchdog.h.
#include "server/listener_watchdog.h"

#include <dirent.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <algorithm>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "server/log.h"

namespace detect::server {
namespace {

int BoundPort(const sockaddr_storage& a) {
  if (a.ss_family == AF_INET) return ntohs(reinterpret_cast<const sockaddr_in&>(a).sin_port);
  if (a.ss_family == AF_INET6) return ntohs(reinterpret_cast<const sockaddr_in6&>(a).sin6_port);
  return -1;
}

// The listening TCP socket of this process bound to `port`; -1 if none.
int FindListener(int port) {
  DIR* d = ::opendir("/proc/self/fd");
  if (d == nullptr) return -1;
  int found = -1;
  while (dirent* e = ::readdir(d)) {
    if (e->d_name[0] == '.') continue;
    const int fd = std::atoi(e->d_name);
    int listening = 0;
    socklen_t len = sizeof(listening);
    sockaddr_storage addr{};
    socklen_t addr_len = sizeof(addr);
    if (::getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &listening, &len) == 0 && listening == 1 &&
        ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &addr_len) == 0 && BoundPort(addr) == port) {
      found = fd;
      break;
    }
  }
  ::closedir(d);
  return found;
}

// Connections waiting in the accept queue of listening socket `fd`; -1 if unknown.
int AcceptQueueLength(int fd) {
  tcp_info info{};
  socklen_t len = sizeof(info);
  if (::getsockopt(fd, IPPROTO_TCP, TCP_INFO, &info, &len) != 0) return -1;
  return static_cast<int>(info.tcpi_unacked);  // For a listener: sk_ack_backlog.
}

// The address to connect to for listener `fd`: its own, with a wildcard host replaced by loopback.
sockaddr_storage ProbeAddress(int fd, socklen_t* len) {
  sockaddr_storage a{};
  *len = sizeof(a);
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), len);
  if (a.ss_family == AF_INET) {
    auto& v4 = reinterpret_cast<sockaddr_in&>(a);
    if (v4.sin_addr.s_addr == htonl(INADDR_ANY)) v4.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  } else if (a.ss_family == AF_INET6) {
    auto& v6 = reinterpret_cast<sockaddr_in6&>(a);
    if (IN6_IS_ADDR_UNSPECIFIED(&v6.sin6_addr)) v6.sin6_addr = in6addr_loopback;
  }
  return a;
}

}  // namespace

ProbeResult ListenerWatchdog::Probe(int listen_fd, absl::Duration timeout, int* queued, std::string* detail) {
  const int before = AcceptQueueLength(listen_fd);
  if (*queued >= 0 && before >= 0 && before < *queued) {  // Accepted since the last probe: busy, not wedged.
    *queued = before;
    return ProbeResult::kAccepted;
  }
  socklen_t len = 0;
  const sockaddr_storage address = ProbeAddress(listen_fd, &len);
  const int fd = ::socket(address.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) {  // No descriptor for the probe itself: says nothing about the listener.
    *detail = absl::StrCat("no socket for the probe: ", std::strerror(errno));
    return ProbeResult::kInconclusive;
  }
  const absl::Time deadline = absl::Now() + timeout;
  ProbeResult result = ProbeResult::kNotAccepted;
  if (::connect(fd, reinterpret_cast<const sockaddr*>(&address), len) != 0 && errno != EINPROGRESS) {
    *detail = absl::StrCat("connect: ", std::strerror(errno));
  } else {
    pollfd p{fd, POLLOUT, 0};
    int error = 0;
    socklen_t error_len = sizeof(error);
    const int ms = static_cast<int>(absl::ToInt64Milliseconds(timeout));
    if (::poll(&p, 1, ms) != 1 || ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &error_len) != 0 || error != 0) {
      *detail = error != 0 ? absl::StrCat("connect: ", std::strerror(error))
                           : std::string("connect timed out (the accept queue is full)");
    } else {
      // Connected: the probe is in the accept queue until the server accepts. Only accept() shortens the queue
      // (new clients lengthen it), so one that is never shorter than its longest before the deadline is not
      // being accepted from.
      int longest = -1, now = -1;
      while ((now = AcceptQueueLength(listen_fd)) != 0 && !(now >= 0 && now < longest) && absl::Now() < deadline) {
        longest = std::max(longest, now);
        absl::SleepFor(absl::Milliseconds(10));
      }
      *queued = now;
      if (now == 0 || (now >= 0 && now < longest)) {
        result = ProbeResult::kAccepted;
      } else {
        *detail = absl::StrCat(now, " connections waited ", absl::FormatDuration(timeout),
                               " in the accept queue, none accepted");
      }
    }
  }
  if (result != ProbeResult::kAccepted) *queued = AcceptQueueLength(listen_fd);
  ::close(fd);
  return result;
}

absl::StatusOr<std::unique_ptr<ListenerWatchdog>> ListenerWatchdog::Start(
    ListenerWatchdogOptions options, std::function<void(const std::string&)> on_wedged) {
  const int fd = FindListener(options.port);
  if (fd < 0) return absl::NotFoundError(absl::StrCat("no listening socket on port ", options.port));
  std::unique_ptr<ListenerWatchdog> w(new ListenerWatchdog(options, fd, std::move(on_wedged)));
  w->thread_ = std::thread([p = w.get()] { p->Run(); });
  return w;
}

ListenerWatchdog::ListenerWatchdog(ListenerWatchdogOptions options, int listen_fd,
                                   std::function<void(const std::string&)> on_wedged)
    : options_(options), listen_fd_(listen_fd), on_wedged_(std::move(on_wedged)) {}

ListenerWatchdog::~ListenerWatchdog() {
  stop_.Notify();
  if (thread_.joinable()) thread_.join();
}

void ListenerWatchdog::Run() {
  int failed = 0;
  int queued = -1;  // What the last failed probe left in the accept queue.
  while (!stop_.WaitForNotificationWithTimeout(options_.interval)) {
    std::string detail;
    switch (Probe(listen_fd_, options_.accept_timeout, &queued, &detail)) {
      case ProbeResult::kAccepted:
        failed = 0;
        queued = -1;
        break;
      case ProbeResult::kInconclusive:
        Log(LogLevel::kWarning, "listener check inconclusive", {{"port", options_.port}, {"detail", detail}});
        break;
      case ProbeResult::kNotAccepted:
        ++failed;
        Log(LogLevel::kWarning, "listener check failed",
            {{"port", options_.port}, {"detail", detail}, {"failed_in_a_row", failed}});
        if (failed >= options_.failures && !stop_.HasBeenNotified()) {
          on_wedged_(detail);
          return;
        }
        break;
    }
  }
}

long RaiseDescriptorLimit() {
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) != 0) return -1;
  if (limit.rlim_cur < limit.rlim_max) {
    limit.rlim_cur = limit.rlim_max;
    if (::setrlimit(RLIMIT_NOFILE, &limit) != 0) ::getrlimit(RLIMIT_NOFILE, &limit);
  }
  return limit.rlim_cur == RLIM_INFINITY ? -1 : static_cast<long>(limit.rlim_cur);
}

}  // namespace detect::server
