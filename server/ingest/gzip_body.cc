// zlib's inflate in 64 KiB steps, stopping at the limit.
#include "server/ingest/gzip_body.h"

#include <zlib.h>

#include "absl/strings/str_cat.h"

namespace detect::server {

absl::StatusOr<std::string> Gunzip(absl::string_view data, size_t max_bytes, size_t extra_capacity) {
  z_stream z{};
  if (inflateInit2(&z, 15 + 32) != Z_OK) return absl::InternalError("zlib inflateInit2 failed");  // gzip or zlib.
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  z.avail_in = static_cast<uInt>(data.size());
  std::string out;
  out.reserve(std::min(max_bytes, data.size() * 4) + extra_capacity);
  char buf[64 << 10];
  int rc = Z_OK;
  while (rc != Z_STREAM_END) {
    z.next_out = reinterpret_cast<Bytef*>(buf);
    z.avail_out = sizeof(buf);
    rc = inflate(&z, Z_NO_FLUSH);
    if (rc != Z_OK && rc != Z_STREAM_END) {
      inflateEnd(&z);
      return absl::InvalidArgumentError(absl::StrCat("body is not valid gzip (zlib: ", z.msg ? z.msg : "truncated", ")"));
    }
    const size_t n = sizeof(buf) - z.avail_out;
    if (out.size() + n > max_bytes) {
      inflateEnd(&z);
      return absl::ResourceExhaustedError(
          absl::StrCat("decompressed body is over the limit of ", max_bytes, " bytes"));
    }
    out.append(buf, n);
    if (rc == Z_OK && n == 0 && z.avail_in == 0) {
      inflateEnd(&z);
      return absl::InvalidArgumentError("gzip body is truncated");
    }
  }
  inflateEnd(&z);
  if (out.capacity() < out.size() + extra_capacity) out.reserve(out.size() + extra_capacity);
  return out;
}

}  // namespace detect::server
