// Raw HTTP/1.1 over loopback TCP for tests of detectd's HTTP listeners (metrics, ingest, the HttpServer itself):
// the bytes sent are exactly the test's, and the answer is everything the server sent until it closed. One
// definition for the server, integration and reliability tests.
#ifndef DETECT_TESTS_TESTING_LOOPBACK_HTTP_H_
#define DETECT_TESTS_TESTING_LOOPBACK_HTTP_H_

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdint>
#include <string>

namespace detect::test_support {

// A TCP connection to 127.0.0.1:PORT whose reads give up after `read_timeout_seconds`; -1 if it failed.
inline int ConnectLoopback(int port, int read_timeout_seconds) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  timeval timeout{read_timeout_seconds, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

// Writes `request` on `fd`, reads until the peer closes or the read timeout passes, closes `fd`; what was read.
inline std::string SendAndReadAll(int fd, const std::string& request) {
  (void)!::write(fd, request.data(), request.size());
  std::string out;
  char buf[8192];
  for (ssize_t n; (n = ::read(fd, buf, sizeof(buf))) > 0;) out.append(buf, static_cast<size_t>(n));
  ::close(fd);
  return out;
}

// `request` on a new connection (reads time out after 5 s); the whole answer, or "connect failed".
inline std::string HttpExchange(int port, const std::string& request) {
  const int fd = ConnectLoopback(port, 5);
  return fd < 0 ? "connect failed" : SendAndReadAll(fd, request);
}

// GET http://127.0.0.1:PORT/PATH; the whole response (headers and body), empty if the connection failed.
inline std::string HttpGet(int port, const std::string& path) {
  const int fd = ConnectLoopback(port, 5);
  return fd < 0 ? "" : SendAndReadAll(fd, "GET " + path + " HTTP/1.1\r\nHost: localhost\r\n\r\n");
}

}  // namespace detect::test_support

#endif  // DETECT_TESTS_TESTING_LOOPBACK_HTTP_H_
