// StringTable: a set of strings fixed before the hot path runs (a rule set's top-level keys, the values and
// prefixes the rule index files rules under, its log types; the field names of the wire view's message types),
// each numbered by its position, found by an event's string in a few instructions. absl's hash reads every
// byte of the key and mixes it; on the hot paths of the index, the root projection and the wire view's field
// lookups that was the larger part of a lookup. Here a key is hashed from its length and its first
// and last eight bytes, and the table is an open-addressing array at most a quarter full, so a miss usually
// ends at the first empty bucket. Keys that share those bytes only lengthen probes among themselves: the cost
// of a lookup is bounded by the table's own keys, which come from rules or schemas, never from events.
#ifndef DETECT_COMMON_STRING_TABLE_H_
#define DETECT_COMMON_STRING_TABLE_H_

#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"

namespace detect {

// Immutable after construction; thread-safe.
class StringTable {
 public:
  StringTable() = default;
  // `keys` must be distinct; key i gets the id i.
  explicit StringTable(std::vector<std::string> keys);

  // The id of `key`, or -1 when it is not in the table.
  int Find(absl::string_view key) const {
    if (keys_.empty()) return -1;
    for (uint32_t h = Hash(key) & mask_;; h = (h + 1) & mask_) {
      const int id = table_[h];
      if (id < 0) return -1;
      const std::string& k = keys_[static_cast<size_t>(id)];
      if (k.size() == key.size() && (key.empty() || std::memcmp(k.data(), key.data(), key.size()) == 0)) return id;
    }
  }
  size_t size() const { return keys_.size(); }
  bool empty() const { return keys_.empty(); }
  const std::string& key(int id) const { return keys_[static_cast<size_t>(id)]; }

  static uint32_t Hash(absl::string_view k) {
    const size_t n = k.size();
    const char* p = k.data();
    uint64_t a = 0, b = 0;
    if (n >= 8) {
      std::memcpy(&a, p, 8);
      std::memcpy(&b, p + n - 8, 8);
    } else if (n >= 4) {
      uint32_t x, y;
      std::memcpy(&x, p, 4);
      std::memcpy(&y, p + n - 4, 4);
      a = x;
      b = y;
    } else if (n > 0) {
      a = static_cast<unsigned char>(p[0]) | static_cast<uint64_t>(static_cast<unsigned char>(p[n / 2])) << 8 |
          static_cast<uint64_t>(static_cast<unsigned char>(p[n - 1])) << 16;
    }
    // The high half of each product depends on every bit of its factor.
    return static_cast<uint32_t>(((a ^ n) * 0x9E3779B97F4A7C15u + b * 0xC2B2AE3D27D4EB4Fu) >> 32);
  }

 private:
  std::vector<std::string> keys_;
  std::vector<int32_t> table_;  // Id per bucket, -1 when empty; at most a quarter full.
  uint32_t mask_ = 0;
};

}  // namespace detect

#endif  // DETECT_COMMON_STRING_TABLE_H_
