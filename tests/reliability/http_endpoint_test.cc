// The HTTP endpoints (civetweb) against a real detectd, as a slow-loris client attacks them (issue 12 item 5):
// one client trickling a request a byte a second, reconnecting whenever it is cut off, must neither block a
// scrape nor delay SIGTERM, and the server must cut it off at the request deadline. The old hand-written
// /metrics server blocked scrapes for 18 s and SIGTERM for 28 s under this client.
#include <signal.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <mutex>
#include <thread>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/reliability/detectd_process.h"

namespace detect::test_support {
namespace {

using Clock = std::chrono::steady_clock;
using ::testing::StartsWith;

// Trickles "GET /metrics HTTP/1.1\r\n..." one byte per second to `port`, reconnecting when the server closes the
// connection, until stopped. Records how long each connection lasted before the server closed it.
class SlowLoris {
 public:
  explicit SlowLoris(int port) : thread_([this, port] { Run(port); }) {}
  ~SlowLoris() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      stop_ = true;
    }
    cv_.notify_all();
    thread_.join();
  }
  int bytes_sent() const { return bytes_sent_.load(); }
  int cut_off() const { return cut_off_.load(); }
  double longest_connection_seconds() const { return longest_ms_.load() / 1000.0; }
  bool connected() const { return connected_.load(); }

 private:
  void Run(int port) {
    const std::string request = "GET /metrics HTTP/1.1\r\nHost: localhost\r\nX-Slow: " + std::string(200, 'a');
    while (!Stopped()) {
      const int fd = ConnectLoopback(port, 1);
      if (fd < 0) return;  // detectd is gone.
      connected_ = true;
      const Clock::time_point opened = Clock::now();
      for (size_t i = 0; i < request.size() && !Stopped(); ++i) {
        if (::send(fd, &request[i], 1, MSG_NOSIGNAL) != 1) break;
        ++bytes_sent_;
        if (WaitStop(std::chrono::seconds(1))) break;
        char c;
        if (::recv(fd, &c, 1, MSG_DONTWAIT) == 0 || (::send(fd, "", 0, MSG_NOSIGNAL) < 0)) break;
      }
      connected_ = false;
      ::close(fd);
      if (Stopped()) return;
      ++cut_off_;
      const int64_t ms = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - opened).count();
      if (ms > longest_ms_) longest_ms_ = ms;
    }
  }
  bool Stopped() {
    std::lock_guard<std::mutex> lock(mu_);
    return stop_;
  }
  bool WaitStop(std::chrono::seconds d) {
    std::unique_lock<std::mutex> lock(mu_);
    return cv_.wait_for(lock, d, [this] { return stop_; });
  }

  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  std::atomic<int> bytes_sent_{0}, cut_off_{0};
  std::atomic<int64_t> longest_ms_{0};
  std::atomic<bool> connected_{false};
  std::thread thread_;
};

TEST(HttpEndpointTest, SlowLorisNeitherBlocksScrapesNorDelaysSigterm) {
  std::string error;
  std::unique_ptr<DetectdProcess> detectd = DetectdProcess::Start({"--rules=rules"}, &error);
  ASSERT_NE(detectd, nullptr) << error;
  double slowest_scrape = 0, exit_seconds = 0;
  {
    SlowLoris loris(detectd->metrics_port());
    ASSERT_TRUE(Eventually([&] { return loris.bytes_sent() >= 2; })) << detectd->Log();
    for (int i = 0; i < 5; ++i) {
      const Clock::time_point start = Clock::now();
      EXPECT_THAT(detectd->Metrics(), StartsWith("HTTP/1.1 200")) << detectd->Log();
      slowest_scrape = std::max(slowest_scrape, std::chrono::duration<double>(Clock::now() - start).count());
    }
    EXPECT_LT(slowest_scrape, 3.0) << "a scrape waited for the slow client";
    // The metrics listener's request deadline is 5 s: the slow connection is cut off, not served forever.
    ASSERT_TRUE(Eventually([&] { return loris.cut_off() >= 1; }, std::chrono::seconds(30))) << detectd->Log();
    EXPECT_LT(loris.longest_connection_seconds(), 5 + 5.0);
    ASSERT_TRUE(Eventually([&] { return loris.connected() && loris.bytes_sent() > 0; })) << detectd->Log();
    const Clock::time_point sigterm = Clock::now();
    ASSERT_TRUE(detectd->Signal(SIGTERM));
    EXPECT_TRUE(detectd->WaitExit(std::chrono::seconds(15))) << detectd->Log();
    exit_seconds = std::chrono::duration<double>(Clock::now() - sigterm).count();
    EXPECT_EQ(detectd->exit_status(), 0) << detectd->Log();
    EXPECT_LT(exit_seconds, 5.0) << "SIGTERM waited for the slow client\n" << detectd->Log();
    std::printf("slow loris: slowest_scrape_s=%.3f connection_cut_after_s=%.1f sigterm_exit_s=%.2f\n",
                slowest_scrape, loris.longest_connection_seconds(), exit_seconds);
  }
}

}  // namespace
}  // namespace detect::test_support
