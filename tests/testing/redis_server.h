// A redis-server process for tests: started on a Unix socket in a temp directory (no TCP port, no persistence),
// killable and restartable on the same socket. Skip the test (GTEST_SKIP) when available() is false.
#ifndef DETECT_TESTS_TESTING_REDIS_SERVER_H_
#define DETECT_TESTS_TESTING_REDIS_SERVER_H_

#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <string>

#include "server/alerts/redis_client.h"
#include "tests/testing/eventually.h"

namespace detect::test_support {

// Thread-compatible. Kills its process at destruction.
class RedisServer {
 public:
  // `dir` must exist and outlive the server.
  explicit RedisServer(std::string dir) : dir_(std::move(dir)) {}
  ~RedisServer() { Kill(); }

  static bool available() { return ::system("command -v redis-server >/dev/null 2>&1") == 0; }
  std::string socket() const { return dir_ + "/r.sock"; }
  std::string url() const { return "unix://" + socket(); }
  std::string log() const { return dir_ + "/redis.log"; }

  // Starts it and waits (up to 10 s) until it answers PING.
  bool Start() {
    Kill();
    std::filesystem::remove(socket());
    pid_ = ::fork();
    if (pid_ == 0) {
      const std::string sock = socket(), logfile = log();
      ::execlp("redis-server", "redis-server", "--port", "0", "--unixsocket", sock.c_str(), "--save", "",
               "--appendonly", "no", "--dir", dir_.c_str(), "--logfile", logfile.c_str(), static_cast<char*>(nullptr));
      ::_exit(127);
    }
    server::RedisAddress address;
    address.unix_path = socket();
    return Eventually([&] {
      server::RedisConnection c(address, absl::Milliseconds(200));
      absl::StatusOr<server::RedisReply> r = c.Command({"PING"});
      return r.ok() && server::ReplyText(r->get()) == "PONG";
    });
  }
  // SIGKILL, as a crash (nothing persisted).
  void Kill() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
    pid_ = -1;
  }

 private:
  std::string dir_;
  pid_t pid_ = -1;
};

}  // namespace detect::test_support

#endif  // DETECT_TESTS_TESTING_REDIS_SERVER_H_
