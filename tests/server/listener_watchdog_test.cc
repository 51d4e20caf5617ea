// ListenerWatchdog::Probe against listening sockets of this test: one nobody accepts from (wedged), one accepted
// from at once, and one accepted from slowly while its queue never empties (a busy server, not a wedged one).
#include "server/listener_watchdog.h"

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "absl/time/clock.h"
#include "gtest/gtest.h"

namespace detect::server {
namespace {

// A TCP listener on 127.0.0.1 (port 0) and client connections to it. Closes everything it opened.
class Listener {
 public:
  explicit Listener(int backlog) {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in a = Loopback(0);
    EXPECT_EQ(::bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof(a)), 0);
    EXPECT_EQ(::listen(fd_, backlog), 0);
    socklen_t len = sizeof(a);
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len);
    port_ = ntohs(a.sin_port);
  }
  ~Listener() {
    for (int c : fds_) ::close(c);
    ::close(fd_);
  }
  int fd() const { return fd_; }
  // A client connection, left in the accept queue until someone accepts it.
  void Connect() {
    const int c = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in a = Loopback(port_);
    ASSERT_EQ(::connect(c, reinterpret_cast<sockaddr*>(&a), sizeof(a)), 0);
    fds_.push_back(c);
  }
  // Accepts one queued connection (blocking); false if accept fails.
  bool AcceptOne() {
    const int c = ::accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (c < 0) return false;
    ::close(c);
    return true;
  }

 private:
  static sockaddr_in Loopback(int port) {
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = htons(static_cast<uint16_t>(port));
    return a;
  }
  int fd_ = -1;
  int port_ = 0;
  std::vector<int> fds_;
};

TEST(ListenerWatchdogProbeTest, AListenerNobodyAcceptsFromFailsEveryProbe) {
  Listener listener(64);
  listener.Connect();  // Queued before the probes, as clients of a wedged server are.
  int queued = -1;
  std::string detail;
  EXPECT_EQ(ListenerWatchdog::Probe(listener.fd(), absl::Milliseconds(300), &queued, &detail),
            ProbeResult::kNotAccepted);
  EXPECT_EQ(queued, 2) << "the client and the probe, which stays queued after the probe closes its end";
  EXPECT_NE(detail.find("none accepted"), std::string::npos) << detail;
  // The next probe finds the queue as long as it was left, and fails again.
  EXPECT_EQ(ListenerWatchdog::Probe(listener.fd(), absl::Milliseconds(300), &queued, &detail),
            ProbeResult::kNotAccepted);
  EXPECT_EQ(queued, 3);
}

TEST(ListenerWatchdogProbeTest, AListenerThatAcceptsPasses) {
  Listener listener(64);
  std::atomic<bool> stop{false};
  std::thread acceptor([&] {
    while (!stop && listener.AcceptOne()) {
    }
  });
  int queued = -1;
  std::string detail;
  // Generous: the acceptor may be slow to run on a loaded machine; an accepting listener returns at once.
  EXPECT_EQ(ListenerWatchdog::Probe(listener.fd(), absl::Seconds(30), &queued, &detail), ProbeResult::kAccepted)
      << detail;
  stop = true;
  listener.Connect();  // Wakes the acceptor, which then sees `stop`.
  acceptor.join();
}

// A busy server: 40 connections queued, accepted one at a time with pauses, so the queue never empties while
// the probe watches. It shrinks, and that is enough: not wedged.
TEST(ListenerWatchdogProbeTest, AQueueThatShrinksWithoutEmptyingPasses) {
  Listener listener(128);
  for (int i = 0; i < 40; ++i) listener.Connect();
  std::atomic<bool> stop{false};
  std::thread acceptor([&] {
    for (int i = 0; i < 20 && !stop; ++i) {
      absl::SleepFor(absl::Milliseconds(100));
      if (!listener.AcceptOne()) return;
    }
  });
  int queued = -1;
  std::string detail;
  EXPECT_EQ(ListenerWatchdog::Probe(listener.fd(), absl::Seconds(30), &queued, &detail), ProbeResult::kAccepted)
      << detail;
  EXPECT_GT(queued, 0) << "the queue emptied: this test no longer tests a queue that only shrinks";
  stop = true;
  acceptor.join();
}

// Accepted between two probes (the previous one left a longer queue): passes without a new connection.
TEST(ListenerWatchdogProbeTest, AQueueShorterThanTheLastProbeLeftItPasses) {
  Listener listener(64);
  for (int i = 0; i < 3; ++i) listener.Connect();
  int queued = -1;
  std::string detail;
  ASSERT_EQ(ListenerWatchdog::Probe(listener.fd(), absl::Milliseconds(200), &queued, &detail),
            ProbeResult::kNotAccepted);
  ASSERT_EQ(queued, 4);
  ASSERT_TRUE(listener.AcceptOne());
  EXPECT_EQ(ListenerWatchdog::Probe(listener.fd(), absl::Milliseconds(200), &queued, &detail), ProbeResult::kAccepted)
      << detail;
  EXPECT_EQ(queued, 3);
}

}  // namespace
}  // namespace detect::server
