// Request bodies as the ingest listener hands them to its decoders, for the decoder tests: one definition.
#ifndef DETECT_TESTS_SERVER_INGEST_PADDED_BODY_H_
#define DETECT_TESTS_SERVER_INGEST_PADDED_BODY_H_

#include <string>

#include "server/ingest/event_splitter.h"

namespace detect::server {

// `s` with kJsonPadding bytes of capacity past its size, as the listener reserves them (simdjson reads there).
inline std::string Padded(std::string s) {
  s.reserve(s.size() + kJsonPadding);
  return s;
}

}  // namespace detect::server

#endif  // DETECT_TESTS_SERVER_INGEST_PADDED_BODY_H_
