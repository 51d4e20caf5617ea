// Fnv1a64: the 64-bit FNV-1a hash, for values that must hash the same in every process and build (rule-set
// versions, alert ids, distinct-value fingerprints kept in Redis); absl::Hash is seeded per process and so
// cannot serve there. Not for untrusted keys of in-memory tables (no flooding resistance).
#ifndef DETECT_COMMON_FNV1A_H_
#define DETECT_COMMON_FNV1A_H_

#include <cstdint>

#include "absl/strings/string_view.h"

namespace detect {

inline constexpr uint64_t kFnv1a64OffsetBasis = 14695981039346656037ull;

// Hashes `bytes` continuing from `h` (the offset basis to start a hash; a previous result to hash a sequence of
// pieces; any other value to get an independent second hash of the same bytes).
inline uint64_t Fnv1a64(absl::string_view bytes, uint64_t h = kFnv1a64OffsetBasis) {
  for (unsigned char c : bytes) {
    h ^= c;
    h *= 1099511628211ull;  // The 64-bit FNV prime.
  }
  return h;
}

}  // namespace detect

#endif  // DETECT_COMMON_FNV1A_H_
