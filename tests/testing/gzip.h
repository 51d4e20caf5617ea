// Gzip compression for tests that build compressed request bodies (ingest, Firehose records): one definition.
// zlib (ZLIB::ZLIB) must be linked by the test binary.
#ifndef DETECT_TESTS_TESTING_GZIP_H_
#define DETECT_TESTS_TESTING_GZIP_H_

#include <zlib.h>

#include <string>

namespace detect::test_support {

// `data` as a gzip member (RFC 1952: header, deflate, CRC-32 trailer), as `gzip` or an HTTP client sends it.
inline std::string GzipOf(const std::string& data) {
  z_stream z{};
  deflateInit2(&z, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY);
  std::string out(deflateBound(&z, data.size()) + 32, '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  z.avail_in = static_cast<uInt>(data.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  deflate(&z, Z_FINISH);
  out.resize(z.total_out);
  deflateEnd(&z);
  return out;
}

}  // namespace detect::test_support

#endif  // DETECT_TESTS_TESTING_GZIP_H_
