// A real detectd process for the reliability tests: the built binary (DETECTD_PATH), started on 127.0.0.1:0
// with --port_file, stdout and stderr captured in one file, and read from outside as an operator would: its
// RSS and open descriptors from /proc/PID, its /metrics over HTTP, its exit status. The child gets SIGKILL if
// the test process dies (PR_SET_PDEATHSIG) and at destruction if still running, so no server outlives a test.
// When the test has failed by then, the destructor prints the server's captured output and how it ended
// before the temp dir holding it is removed, so a failure in CI says what detectd did.
#ifndef DETECT_TESTS_RELIABILITY_DETECTD_PROCESS_H_
#define DETECT_TESTS_RELIABILITY_DETECTD_PROCESS_H_

#include <arpa/inet.h>
#include <dirent.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <map>
#include <memory>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "detect/v1/detect.grpc.pb.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "gtest/gtest.h"
#include "tests/testing/test_files.h"
#include "tests/testing/eventually.h"
#include "tests/testing/loopback_http.h"

namespace detect::test_support {

// Whether this build is sanitized (then detectd is too: one build). ASan's quarantine and shadow memory make RSS
// say nothing about leaks, so the tests skip their RSS bounds there and rely on LeakSanitizer, which runs when
// detectd exits after SIGTERM and makes its exit status non-zero on a leak.
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
inline constexpr bool kSanitizerBuild = true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
inline constexpr bool kSanitizerBuild = true;
#else
inline constexpr bool kSanitizerBuild = false;
#endif
#else
inline constexpr bool kSanitizerBuild = false;
#endif

// The number in environment variable `name` (the long forms of the tests), else `fallback`.
inline double EnvOr(const char* name, double fallback) {
  const char* v = std::getenv(name);
  return v != nullptr && *v != '\0' ? std::atof(v) : fallback;
}

// The value of the sample `series` (name and labels exactly as rendered, e.g.
// `detectd_rule_reloads_total{outcome="error"}`) in a Prometheus text page; -1 if absent.
inline double MetricValue(const std::string& page, const std::string& series) {
  std::istringstream lines(page);
  for (std::string line; std::getline(lines, line);) {
    if (line.size() > series.size() && line.compare(0, series.size(), series) == 0 && line[series.size()] == ' ') {
      double v = -1;
      return absl::SimpleAtod(line.substr(series.size() + 1), &v) ? v : -1;
    }
  }
  return -1;
}

// Starts `args` (args[0]: the program's path) with stdout and stderr appended to `output_path`; the child is
// killed if the calling thread exits first (PR_SET_PDEATHSIG). Returns its pid, or -1.
inline pid_t SpawnProcess(std::vector<std::string> args, const std::string& output_path) {
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  const int out = ::open(output_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (out < 0) return -1;
  const pid_t parent = ::getpid();
  const pid_t pid = ::fork();
  if (pid == 0) {  // The child: async-signal-safe calls only, then exec.
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) ::_exit(127);
    ::dup2(out, STDOUT_FILENO);
    ::dup2(out, STDERR_FILENO);
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
  ::close(out);
  return pid;
}

// Thread-compatible: start, signal and wait from the test's main thread (the death signal is tied to the
// thread that forked); RssKb, FdCount, Log and Metrics may be called from any thread.
class DetectdProcess {
 public:
  // Starts `DETECTD_PATH --listen 127.0.0.1:0 --metrics_listen 127.0.0.1:0 --port_file ... FLAGS` in the
  // repository root and waits (up to 30 s) until it logs "serving". Null, with the reason in `error`, if not.
  // DETECTD_BINARY in the environment replaces DETECTD_PATH. `launcher`, if given, runs detectd (e.g. {"/usr/bin/prlimit", "--nofile=64:64", "--"}).
  static std::unique_ptr<DetectdProcess> Start(const std::vector<std::string>& flags, std::string* error,
                                               const std::vector<std::string>& launcher = {}) {
    std::unique_ptr<DetectdProcess> p(new DetectdProcess());
    const std::string port_file = p->dir_.Sub("port");
    p->log_path_ = p->dir_.Sub("detectd.log");
    std::vector<std::string> args = launcher;
    const char* binary = std::getenv("DETECTD_BINARY");  // Another build's detectd (e.g. main's, to compare).
    for (const std::string& a : {std::string(binary != nullptr && *binary != '\0' ? binary : DETECTD_PATH),
                                 std::string("--listen=127.0.0.1:0"),
                                 std::string("--metrics_listen=127.0.0.1:0"), "--port_file=" + port_file}) {
      args.push_back(a);
    }
    args.insert(args.end(), flags.begin(), flags.end());
    const pid_t pid = SpawnProcess(args, p->log_path_);
    if (pid < 0) {
      *error = "fork failed";
      return nullptr;
    }
    p->pid_ = pid;
    // The port file is written just before the "serving" line, which holds the ports (JSON or text format).
    const bool up = Eventually([&] { return p->ServingField("port") > 0 || !p->Running(); }, std::chrono::seconds(30));
    if (!up || !p->Running()) {
      *error = absl::StrCat("detectd did not start serving; its output:\n", p->Log());
      return nullptr;
    }
    p->port_ = p->ServingField("port");
    p->metrics_port_ = p->ServingField("metrics_port");
    const std::string port_text = ReadWholeFile(port_file);
    int from_file = 0;
    if (!absl::SimpleAtoi(port_text.substr(0, port_text.find('\n')), &from_file) || from_file != p->port_) {
      *error = absl::StrCat("--port_file does not hold the port detectd logged (", p->port_, ")");
      return nullptr;
    }
    return p;
  }

  ~DetectdProcess() {
    const bool was_running = Running();
    if (::testing::Test::HasFailure()) {
      std::fprintf(stderr, "%s", FailureReport(was_running).c_str());
      std::fflush(stderr);
    }
    if (was_running) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
  }

  // How the process stands (running, or its exit status) and the last `max_bytes` of its output, framed for a
  // test log.
  std::string FailureReport(bool running, size_t max_bytes = 64 << 10) const {
    std::string log = Log();
    std::string cut;
    if (log.size() > max_bytes) {
      cut = absl::StrCat("[... first ", log.size() - max_bytes, " bytes left out ...]\n");
      log = log.substr(log.size() - max_bytes);
    }
    const std::string state = running ? std::string("still running")
                              : exit_status_ >= 0 ? absl::StrCat("exited with status ", exit_status_)
                                                  : absl::StrCat("killed by signal ", term_signal_);
    return absl::StrCat("==== detectd (pid ", pid_, ", ", state, ") output, ", log_path_, ":\n", cut, log,
                        log.empty() || log.back() == '\n' ? "" : "\n", "==== end of detectd output\n");
  }

  pid_t pid() const { return pid_; }
  int port() const { return port_; }
  int metrics_port() const { return metrics_port_; }
  std::string address() const { return absl::StrCat("127.0.0.1:", port_); }
  const std::string& log_path() const { return log_path_; }
  std::string Log() const { return ReadWholeFile(log_path_); }

  std::shared_ptr<grpc::Channel> Channel(std::shared_ptr<grpc::ChannelCredentials> creds = nullptr,
                                         grpc::ChannelArguments args = grpc::ChannelArguments()) const {
    args.SetMaxReceiveMessageSize(-1);
    return grpc::CreateCustomChannel(address(), creds != nullptr ? creds : grpc::InsecureChannelCredentials(),
                                     args);
  }

  // VmRSS in KiB, from /proc/PID/status; -1 once the process is gone.
  long RssKb() const {
    std::ifstream in(absl::StrCat("/proc/", pid_, "/status"));
    for (std::string line; std::getline(in, line);) {
      if (line.rfind("VmRSS:", 0) == 0) return std::strtol(line.c_str() + 6, nullptr, 10);
    }
    return -1;
  }

  // Threads of the process, from /proc/PID/status; -1 once it is gone.
  int Threads() const {
    std::ifstream in(absl::StrCat("/proc/", pid_, "/status"));
    for (std::string line; std::getline(in, line);) {
      if (line.rfind("Threads:", 0) == 0) return std::atoi(line.c_str() + 8);
    }
    return -1;
  }

  // Entries of /proc/PID/fd: the process's open descriptors, except pipes. detectd opens none itself, but
  // under ThreadSanitizer the runtime starts its symbolizer (at the first suppressed report, which may come
  // mid-test) and talks to it over two pipes of the server process: those are not the server's to account for.
  int FdCount() const {
    const std::string fd_dir = absl::StrCat("/proc/", pid_, "/fd");
    DIR* d = ::opendir(fd_dir.c_str());
    if (d == nullptr) return -1;
    int n = 0;
    while (dirent* e = ::readdir(d)) {
      if (e->d_name[0] == '.') continue;
      char target[64] = {};
      const std::string link = fd_dir + "/" + e->d_name;
      if (::readlink(link.c_str(), target, sizeof(target) - 1) > 0 && std::strncmp(target, "pipe:", 5) == 0) continue;
      ++n;
    }
    ::closedir(d);
    return n;
  }

  // One line of /proc/net/tcp or tcp6: hex state ("01" ESTABLISHED, "08" CLOSE_WAIT, "0A" LISTEN), ports,
  // "tx_queue:rx_queue" and the socket's inode.
  struct TcpSocket {
    std::string state, queues, inode;
    int local_port = 0, remote_port = 0;
  };
  static std::vector<TcpSocket> TcpSockets() {
    std::vector<TcpSocket> out;
    for (const char* table : {"/proc/net/tcp", "/proc/net/tcp6"}) {
      std::istringstream lines(ReadWholeFile(table));
      std::string line;
      std::getline(lines, line);  // Header.
      while (std::getline(lines, line)) {
        std::istringstream fields(line);
        std::string slot, local, remote, timer, retransmits, uid, timeout;
        TcpSocket t;
        fields >> slot >> local >> remote >> t.state >> t.queues >> timer >> retransmits >> uid >> timeout >> t.inode;
        auto port_of = [](const std::string& address) {
          return static_cast<int>(std::strtol(address.substr(address.find(':') + 1).c_str(), nullptr, 16));
        };
        t.local_port = port_of(local);
        t.remote_port = port_of(remote);
        out.push_back(std::move(t));
      }
    }
    return out;
  }

  // The server's TCP connections on its gRPC port, by state (from /proc/net/tcp and tcp6), and how many client
  // ends of connections to that port are still open. A connection the server holds although its client closed it
  // shows as CLOSE_WAIT; one the client keeps open is ESTABLISHED at both ends.
  struct Connections {
    int established = 0;  // Server ends.
    int close_wait = 0;   // Server ends whose client has closed: a leak if it lasts.
    int other = 0;        // Server ends in other states (closing).
    int clients_open = 0; // Client ends (any process) ESTABLISHED to the port.
  };
  Connections GrpcConnections() const {
    std::set<std::string> inodes;  // The server's sockets.
    const std::string fd_dir = absl::StrCat("/proc/", pid_, "/fd");
    if (DIR* d = ::opendir(fd_dir.c_str())) {
      while (dirent* e = ::readdir(d)) {
        char target[64] = {};
        const std::string link = fd_dir + "/" + e->d_name;
        if (::readlink(link.c_str(), target, sizeof(target) - 1) > 0 && std::strncmp(target, "socket:[", 8) == 0) {
          inodes.insert(std::string(target + 8, std::strlen(target) - 9));
        }
      }
      ::closedir(d);
    }
    Connections c;
    for (const TcpSocket& t : TcpSockets()) {
      if (t.local_port == port_ && inodes.count(t.inode) > 0) {
        if (t.state == "01") ++c.established;
        else if (t.state == "08") ++c.close_wait;
        else if (t.state != "0A") ++c.other;  // 0A: the listening socket.
      } else if (t.remote_port == port_ && t.state == "01") {
        ++c.clients_open;
      }
    }
    return c;
  }

  // Every open descriptor and what it is, for a failure message: "fd -> target", and for a socket its TCP
  // state, local and remote ports from /proc/net/tcp{,6} ("not in the TCP tables" for a socket whose
  // connection the kernel has already closed while detectd still holds the descriptor, or a non-TCP socket).
  std::string DescribeFds() const {
    std::map<std::string, std::string> tcp;  // inode -> "state local_port->remote_port queues".
    for (const TcpSocket& t : TcpSockets()) {
      tcp[t.inode] = absl::StrCat("tcp state ", t.state, " ", t.local_port, "->", t.remote_port, " queues ", t.queues);
    }
    std::string out;
    const std::string fd_dir = absl::StrCat("/proc/", pid_, "/fd");
    if (DIR* d = ::opendir(fd_dir.c_str())) {
      while (dirent* e = ::readdir(d)) {
        if (e->d_name[0] == '.') continue;
        char target[256] = {};
        const std::string link = fd_dir + "/" + e->d_name;
        if (::readlink(link.c_str(), target, sizeof(target) - 1) <= 0) continue;
        absl::StrAppend(&out, "  fd ", e->d_name, " -> ", target);
        if (std::strncmp(target, "socket:[", 8) == 0) {
          auto it = tcp.find(std::string(target + 8, std::strlen(target) - 9));
          absl::StrAppend(&out, " (", it != tcp.end() ? it->second : "not in the TCP tables", ")");
        }
        out += "\n";
      }
      ::closedir(d);
    }
    return out;
  }

  std::string Metrics() const { return HttpGet(metrics_port_, "/metrics"); }
  double Metric(const std::string& series) const { return MetricValue(Metrics(), series); }

  bool Signal(int sig) const { return Running() && ::kill(pid_, sig) == 0; }

  // Reaps the process if it has exited. Its status is in exit_status() (-1: killed by a signal).
  bool Running() const {
    if (exited_) return false;
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      exited_ = true;
      exit_status_ = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
      term_signal_ = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
      return false;
    }
    return true;
  }
  // Waits up to `timeout` for the process to exit; false if it is still running.
  bool WaitExit(std::chrono::milliseconds timeout) { return Eventually([&] { return !Running(); }, timeout); }
  int exit_status() const { return exit_status_; }
  int term_signal() const { return term_signal_; }  // The signal that killed it; 0 if it exited or runs.

  // An integer field of the "serving" log line (`"name":N` in JSON, ` name=N` in text); 0 if not logged yet.
  int ServingField(const std::string& name) const { return static_cast<int>(LogField("serving", name)); }

  // An integer field of the first info line whose message is `message`; 0 if there is none (yet).
  int64_t LogField(const std::string& message, const std::string& name) const {
    const std::string log = Log();
    size_t line = log.find("\"msg\":\"" + message + "\"");
    if (line == std::string::npos) line = log.find(" INFO " + message + " ");
    if (line == std::string::npos) return 0;
    const size_t eol = log.find('\n', line);
    if (eol == std::string::npos) return 0;  // Not written whole yet.
    for (const std::string& key : {"\"" + name + "\":", " " + name + "="}) {
      const size_t at = log.find(key, line);
      if (at != std::string::npos && at < eol) return std::strtoll(log.c_str() + at + key.size(), nullptr, 10);
    }
    return 0;
  }

 private:
  DetectdProcess() = default;

  TempDir dir_;
  std::string log_path_;
  pid_t pid_ = -1;
  int port_ = 0;
  int metrics_port_ = 0;
  mutable bool exited_ = false;
  mutable int exit_status_ = -1;
  mutable int term_signal_ = 0;
};

// Copies `from` (a directory tree) to `to`.
inline void CopyTree(const std::string& from, const std::string& to) {
  std::filesystem::copy(from, to, std::filesystem::copy_options::recursive);
}

}  // namespace detect::test_support

#endif  // DETECT_TESTS_RELIABILITY_DETECTD_PROCESS_H_
