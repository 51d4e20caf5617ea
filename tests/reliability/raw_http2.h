// A bare HTTP/2 client over a loopback TCP socket, for what no gRPC client library will send: frames that break the
// protocol (DATA after the stream's END_STREAM), and floods of streams reset as soon as they are opened (the
// HTTP/2 rapid-reset attack, CVE-2023-44487). It writes frames and reads them back without decoding
// headers (HPACK literals out; the server's headers are skipped, its DATA and RST_STREAM/GOAWAY read).
#ifndef DETECT_TESTS_RELIABILITY_RAW_HTTP2_H_
#define DETECT_TESTS_RELIABILITY_RAW_HTTP2_H_

#include <sys/socket.h>
#include <unistd.h>

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "tests/reliability/detectd_process.h"

namespace detect::test_support {

class RawHttp2Connection {
 public:
  enum FrameType : uint8_t { kData = 0, kHeaders = 1, kRstStream = 3, kSettings = 4, kPing = 6, kGoaway = 7 };
  static constexpr uint8_t kEndStream = 0x1, kEndHeaders = 0x4, kAck = 0x1;
  struct Frame {
    uint8_t type = 0, flags = 0;
    uint32_t stream = 0;
    std::string payload;
  };

  // Connects to 127.0.0.1:port and sends the client preface and an empty SETTINGS frame.
  explicit RawHttp2Connection(int port) : fd_(ConnectLoopback(port, 10)) {
    if (fd_ < 0) return;
    Send("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n");
    WriteFrame(kSettings, 0, 0, "");
  }
  ~RawHttp2Connection() {
    if (fd_ >= 0) ::close(fd_);
  }
  RawHttp2Connection(const RawHttp2Connection&) = delete;
  RawHttp2Connection& operator=(const RawHttp2Connection&) = delete;

  bool connected() const { return fd_ >= 0; }

  // HEADERS opening a gRPC call of `path` on `stream` (HPACK literals without indexing, no Huffman).
  void OpenGrpcCall(uint32_t stream, const std::string& path) {
    WriteFrame(kHeaders, kEndHeaders, stream, GrpcHeaderBlock(path));
  }
  // `pairs` streams from `first_stream` (odd, increasing by 2) each opened for `path` and at once reset with
  // RST_STREAM(CANCEL), written in one send: what a rapid-reset attacker sends. Returns the next stream id.
  uint32_t SendRapidResets(uint32_t first_stream, int pairs, const std::string& path) {
    std::string burst;
    uint32_t stream = first_stream;
    for (int i = 0; i < pairs; ++i, stream += 2) {
      burst += EncodeFrame(kHeaders, kEndHeaders, stream, GrpcHeaderBlock(path));
      burst += EncodeFrame(kRstStream, 0, stream, std::string("\0\0\0\x08", 4));  // CANCEL.
    }
    Send(burst);
    return stream;
  }
  // Reads and discards whatever the server sends until EOF or an error (run on its own thread while another
  // writes: it answers nothing, so SETTINGS must have been acknowledged before, see ReadFrame).
  void DrainUntilClosed() {
    char buf[16384];
    while (fd_ >= 0 && ::read(fd_, buf, sizeof(buf)) > 0) {
    }
  }
  // Half-closes the connection's sending side (the server sees EOF).
  void ShutdownWrite() {
    if (fd_ >= 0) ::shutdown(fd_, SHUT_WR);
  }

  // A DATA frame carrying one gRPC message (uncompressed) of `message` bytes.
  void SendGrpcMessage(uint32_t stream, const std::string& message, bool end_stream) {
    std::string payload(1, '\0');
    for (int shift = 24; shift >= 0; shift -= 8) payload += static_cast<char>((message.size() >> shift) & 0xFF);
    payload += message;
    WriteFrame(kData, end_stream ? kEndStream : 0, stream, payload);
  }

  // The next frame from the server, answering its SETTINGS and PINGs on the way; false on EOF or timeout.
  bool ReadFrame(Frame* f) {
    while (true) {
      std::string header;
      if (!ReadExactly(9, &header)) return false;
      const auto byte = [&](int i) { return static_cast<uint32_t>(static_cast<uint8_t>(header[static_cast<size_t>(i)])); };
      const uint32_t length = byte(0) << 16 | byte(1) << 8 | byte(2);
      f->type = static_cast<uint8_t>(byte(3));
      f->flags = static_cast<uint8_t>(byte(4));
      f->stream = (byte(5) << 24 | byte(6) << 16 | byte(7) << 8 | byte(8)) & 0x7FFFFFFF;
      if (!ReadExactly(length, &f->payload)) return false;
      if (f->type == kSettings && !(f->flags & kAck)) {
        WriteFrame(kSettings, kAck, 0, "");
        continue;
      }
      if (f->type == kPing && !(f->flags & kAck)) {
        WriteFrame(kPing, kAck, 0, f->payload);
        continue;
      }
      return true;
    }
  }

 private:
  static void AppendHpackLength(size_t n, std::string* out) {  // 7-bit prefix integer, H = 0.
    if (n < 127) {
      *out += static_cast<char>(n);
      return;
    }
    *out += static_cast<char>(127);
    for (n -= 127; n >= 128; n >>= 7) *out += static_cast<char>((n & 0x7F) | 0x80);
    *out += static_cast<char>(n);
  }
  static std::string GrpcHeaderBlock(const std::string& path) {
    std::string block;
    for (const auto& [name, value] : std::vector<std::pair<std::string, std::string>>{
             {":method", "POST"}, {":scheme", "http"}, {":path", path}, {":authority", "localhost"},
             {"content-type", "application/grpc"}, {"te", "trailers"}}) {
      block += '\0';
      AppendHpackLength(name.size(), &block);
      block += name;
      AppendHpackLength(value.size(), &block);
      block += value;
    }
    return block;
  }
  void WriteFrame(uint8_t type, uint8_t flags, uint32_t stream, const std::string& payload) {
    Send(EncodeFrame(type, flags, stream, payload));
  }
  static std::string EncodeFrame(uint8_t type, uint8_t flags, uint32_t stream, const std::string& payload) {
    std::string frame;
    frame += static_cast<char>((payload.size() >> 16) & 0xFF);
    frame += static_cast<char>((payload.size() >> 8) & 0xFF);
    frame += static_cast<char>(payload.size() & 0xFF);
    frame += static_cast<char>(type);
    frame += static_cast<char>(flags);
    for (int shift = 24; shift >= 0; shift -= 8) frame += static_cast<char>((stream >> shift) & 0xFF);
    return frame + payload;
  }
  void Send(const std::string& bytes) {
    for (size_t sent = 0; fd_ >= 0 && sent < bytes.size();) {
      const ssize_t n = ::send(fd_, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
      if (n <= 0) return;
      sent += static_cast<size_t>(n);
    }
  }
  bool ReadExactly(size_t n, std::string* out) {
    out->assign(n, '\0');
    for (size_t got = 0; got < n;) {
      const ssize_t r = ::read(fd_, &(*out)[got], n - got);
      if (r <= 0) return false;
      got += static_cast<size_t>(r);
    }
    return true;
  }

  int fd_ = -1;
};

}  // namespace detect::test_support

#endif  // DETECT_TESTS_RELIABILITY_RAW_HTTP2_H_
