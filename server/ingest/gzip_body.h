// Gzip request bodies (Content-Encoding: gzip, and the records of Amazon Data Firehose), inflated with zlib
// under a byte limit, so a small compressed body cannot expand into an unbounded one (decompression bomb).
#ifndef DETECT_SERVER_INGEST_GZIP_BODY_H_
#define DETECT_SERVER_INGEST_GZIP_BODY_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace detect::server {

// Inflates gzip (or zlib) data. ResourceExhausted once the output would exceed `max_bytes` (the message names
// the limit); InvalidArgument for data that is not gzip or is truncated. `extra_capacity` bytes are reserved
// past the end of the result (simdjson's padding).
absl::StatusOr<std::string> Gunzip(absl::string_view data, size_t max_bytes, size_t extra_capacity = 0);

}  // namespace detect::server

#endif  // DETECT_SERVER_INGEST_GZIP_BODY_H_
