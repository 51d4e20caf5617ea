// The listening socket of a real detectd: it is not shared with another process unless asked for (gRPC turns
// SO_REUSEPORT on by default, and two servers with different rules on one port answer clients alternately), and
// running out of descriptors does not leave a process that looks alive but never accepts again (gRPC 1.51
// stops accepting for good after accept4() fails with EMFILE): detectd takes the hard descriptor limit at
// start, and when the listener wedges anyway it reports NOT_SERVING and exits 3 so Kubernetes restarts it.
#include <sys/resource.h>
#include <unistd.h>

#include <chrono>
#include <memory>
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "tests/reliability/detectd_process.h"

namespace detect::test_support {
namespace {

// One unary Evaluate with no events: OK when the server at `detectd` answers.
grpc::Status Ping(const DetectdProcess& detectd) {
  auto stub = v1::DetectionService::NewStub(detectd.Channel());
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(20));
  v1::EvaluateRequest request;
  v1::EvaluateResponse response;
  return stub->Evaluate(&ctx, request, &response);
}

// A second detectd told to listen on the port the first serves exits at once with an error naming the port
// and the flag, and the first keeps serving.
TEST(ListenerTest, SecondDetectdOnAPortInUseRefusesToStart) {
  std::string error;
  std::unique_ptr<DetectdProcess> first = DetectdProcess::Start({"--rules=rules"}, &error);
  ASSERT_NE(first, nullptr) << error;
  const std::string address = first->address();
  std::unique_ptr<DetectdProcess> second =
      DetectdProcess::Start({"--rules=rules", "--listen=" + address}, &error);
  EXPECT_EQ(second, nullptr) << "a second detectd serves " << address << " too";
  EXPECT_TRUE(absl::StrContains(error, "cannot listen on --listen " + address)) << error;
  EXPECT_TRUE(absl::StrContains(error, "already in use")) << error;
  EXPECT_TRUE(absl::StrContains(error, "--allow_port_reuse")) << error;
  const grpc::Status status = Ping(*first);
  EXPECT_TRUE(status.ok()) << status.error_message();
}

// --allow_port_reuse on both: the operator asked for a shared port (e.g. a zero-downtime binary swap).
TEST(ListenerTest, AllowPortReuseLetsTwoDetectdShareAPort) {
  std::string error;
  std::unique_ptr<DetectdProcess> first = DetectdProcess::Start({"--rules=rules", "--allow_port_reuse"}, &error);
  ASSERT_NE(first, nullptr) << error;
  std::unique_ptr<DetectdProcess> second =
      DetectdProcess::Start({"--rules=rules", "--allow_port_reuse", "--listen=" + first->address()}, &error);
  ASSERT_NE(second, nullptr) << error;
  EXPECT_EQ(second->port(), first->port());
  const grpc::Status status = Ping(*second);
  EXPECT_TRUE(status.ok()) << status.error_message();
}

// Opens `n` connections to `port` (the kernel completes them whether or not detectd accepts); returns them.
std::vector<int> OpenConnections(int port, int n) {
  std::vector<int> fds;
  for (int i = 0; i < n; ++i) {
    const int fd = ConnectLoopback(port, 5);
    if (fd >= 0) fds.push_back(fd);
  }
  return fds;
}

void CloseAll(std::vector<int>* fds) {
  for (int fd : *fds) ::close(fd);
  fds->clear();
}

// The soft limit on open files of process `pid`, from /proc/PID/limits; -1 if unreadable.
long SoftFileLimit(pid_t pid) {
  std::istringstream lines(ReadWholeFile(absl::StrCat("/proc/", pid, "/limits")));
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind("Max open files", 0) == 0) return std::strtol(line.c_str() + 26, nullptr, 10);
  }
  return -1;
}

constexpr char kPrlimit[] = "/usr/bin/prlimit";

// The launcher that starts detectd with `nofile` (SOFT:HARD) descriptors. In the sanitizer build UBSan's vptr check
// needs a free descriptor to work (tests/reliability/ubsan_no_descriptors.supp says why), so the detectd that is
// starved of them gets that suppression (UBSan's vptr check is always recoverable, so a suppression applies even
// with -fno-sanitize-recover=undefined).
std::vector<std::string> LimitedDescriptors(const std::string& nofile) {
  std::vector<std::string> launcher;
  if (kSanitizerBuild) {
    const char* ubsan = std::getenv("UBSAN_OPTIONS");
    const char* source = std::getenv("DETECT_SOURCE_DIR");  // Set by ctest (tests/reliability/CMakeLists.txt).
    launcher = {"/usr/bin/env", absl::StrCat("UBSAN_OPTIONS=", ubsan != nullptr ? ubsan : "",
                                             ubsan != nullptr && *ubsan != '\0' ? ":" : "", "suppressions=",
                                             source != nullptr ? source : ".", "/tests/reliability/ubsan_no_descriptors.supp")};
  }
  for (const std::string& a : {std::string(kPrlimit), "--nofile=" + nofile, std::string("--")}) launcher.push_back(a);
  return launcher;
}

// With a hard limit of 64 descriptors and 150 connections at once, accept4() fails with EMFILE and gRPC never
// accepts again, even after every client has gone. The listener watchdog (every second here) finds its probe
// left in the accept queue, and detectd exits 3 after logging why. Without the watchdog detectd would run on,
// serving /metrics and nothing else.
TEST(ListenerTest, WedgedListenerAfterDescriptorExhaustionExitsThree) {
  if (::access(kPrlimit, X_OK) != 0) GTEST_SKIP() << kPrlimit << " (util-linux) is not installed";
  std::string error;
  std::unique_ptr<DetectdProcess> detectd = DetectdProcess::Start(
      {"--rules=rules", "--listener_check_seconds=1"}, &error, LimitedDescriptors("64:64"));
  ASSERT_NE(detectd, nullptr) << error;
  EXPECT_EQ(SoftFileLimit(detectd->pid()), 64);
  std::vector<int> clients = OpenConnections(detectd->port(), 150);
  EXPECT_EQ(clients.size(), 150u);
  // gRPC logs each failed accept4.
  EXPECT_TRUE(Eventually([&] { return absl::StrContains(detectd->Log(), "Too many open files"); },
                         std::chrono::seconds(30)));
  const auto closed_at = std::chrono::steady_clock::now();
  CloseAll(&clients);
  ASSERT_TRUE(detectd->WaitExit(std::chrono::seconds(60))) << "detectd still runs with a wedged listener";
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - closed_at).count();
  EXPECT_EQ(detectd->exit_status(), 3);
  EXPECT_TRUE(absl::StrContains(detectd->Log(), "the gRPC listener no longer accepts connections")) << detectd->Log();
  std::printf("LISTENER wedged by EMFILE (nofile 64, 150 connections): exited %d, %.1f s after the clients left\n",
              detectd->exit_status(), seconds);
}

// With a soft limit of 64 but a hard limit of 4096, detectd raises its soft limit to 4096 at start, so the
// same 150 connections are all accepted, and once they are gone it still serves.
TEST(ListenerTest, SoftDescriptorLimitIsRaisedToTheHardLimit) {
  if (::access(kPrlimit, X_OK) != 0) GTEST_SKIP() << kPrlimit << " (util-linux) is not installed";
  std::string error;
  std::unique_ptr<DetectdProcess> detectd = DetectdProcess::Start(
      {"--rules=rules", "--listener_check_seconds=1"}, &error, LimitedDescriptors("64:4096"));
  ASSERT_NE(detectd, nullptr) << error;
  EXPECT_EQ(SoftFileLimit(detectd->pid()), 4096);
  std::vector<int> clients = OpenConnections(detectd->port(), 150);
  EXPECT_EQ(clients.size(), 150u);
  EXPECT_TRUE(Eventually([&] { return detectd->FdCount() >= 150; }, std::chrono::seconds(30)))
      << detectd->FdCount() << " descriptors open in detectd";
  CloseAll(&clients);
  const grpc::Status status = Ping(*detectd);
  EXPECT_TRUE(status.ok()) << status.error_message();
  EXPECT_TRUE(detectd->Running());
  EXPECT_FALSE(absl::StrContains(detectd->Log(), "Too many open files"));
}

}  // namespace
}  // namespace detect::test_support
