// ListenerWatchdog: notices when the gRPC listening socket has stopped accepting connections and says so.
// gRPC 1.51 stops accepting for good after accept4() fails with EMFILE/ENFILE (grpc/grpc#16058, #20418): the
// process keeps running, /metrics answers, but the port is dead. The watchdog connects to its own port every
// interval and watches the listening socket's accept queue (TCP_INFO on a listener reports its length). Only
// accept() takes a connection out of that queue (one whose client gave up stays until accepted), so a queue that
// never gets shorter is not being accepted from, while a busy server's queue shrinks now and then even if it
// never empties. When the queue does not shrink during a probe nor between probes, for `failures` probes in a
// row, the listener is wedged and `on_wedged` runs (the daemon then reports NOT_SERVING and exits 3, so
// Kubernetes restarts it).
#ifndef DETECT_SERVER_LISTENER_WATCHDOG_H_
#define DETECT_SERVER_LISTENER_WATCHDOG_H_

#include <functional>
#include <memory>
#include <string>
#include <thread>

#include "absl/status/statusor.h"
#include "absl/synchronization/notification.h"
#include "absl/time/time.h"

namespace detect::server {

struct ListenerWatchdogOptions {
  int port = 0;                                         // The gRPC port (bound by this process).
  absl::Duration interval = absl::Seconds(10);          // Between probes.
  absl::Duration accept_timeout = absl::Seconds(5);     // How long a probe waits to be accepted.
  // Failed probes in a row that mean "wedged". A wedged listener fails every probe for good; a busy one (CPU
  // starved, transport at its memory quota) may leave a probe queued for a while: with 2, a loaded detectd under
  // TSan was judged wedged and exited 3 (MemoryBoundTest, 64 non-reading streams). 6 is about a minute at the
  // default interval before Kubernetes is asked to restart the pod.
  int failures = 6;
};

// What one probe found.
enum class ProbeResult { kAccepted, kNotAccepted, kInconclusive };

// Thread-safe. Owns one thread, started by Start and joined by the destructor; `on_wedged` runs on it once,
// and must not destroy the watchdog.
class ListenerWatchdog {
 public:
  // Finds the listening socket(s) of this process on `options.port` and starts probing. NotFound if there is
  // none.
  static absl::StatusOr<std::unique_ptr<ListenerWatchdog>> Start(ListenerWatchdogOptions options,
                                                                std::function<void(const std::string&)> on_wedged);
  ~ListenerWatchdog();

  // One probe of the listener `listen_fd`: connect to its address and watch the accept queue for `timeout`:
  // kAccepted as soon as it is empty or shorter than it was (something was accepted). `*queued`: on entry the
  // queue length the previous failed probe left (-1: none), a shorter queue now meaning the listener accepted
  // since; on return the length this probe saw last. `detail` says what happened when it was not accepted.
  static ProbeResult Probe(int listen_fd, absl::Duration timeout, int* queued, std::string* detail);

 private:
  ListenerWatchdog(ListenerWatchdogOptions options, int listen_fd, std::function<void(const std::string&)> on_wedged);
  void Run();

  const ListenerWatchdogOptions options_;
  const int listen_fd_;  // Not owned: gRPC's listening socket, open until the server shuts down (after us).
  const std::function<void(const std::string&)> on_wedged_;
  absl::Notification stop_;
  std::thread thread_;
};

// Raises this process's soft RLIMIT_NOFILE to its hard limit; returns the soft limit now in force.
long RaiseDescriptorLimit();

}  // namespace detect::server

#endif  // DETECT_SERVER_LISTENER_WATCHDOG_H_
