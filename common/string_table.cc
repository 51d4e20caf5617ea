// Construction of a StringTable: see string_table.h.
#include "common/string_table.h"

#include <utility>

namespace detect {

StringTable::StringTable(std::vector<std::string> keys) : keys_(std::move(keys)) {
  if (keys_.empty()) return;
  size_t buckets = 16;
  while (buckets < 4 * keys_.size()) buckets *= 2;
  table_.assign(buckets, -1);
  mask_ = static_cast<uint32_t>(buckets - 1);
  for (size_t i = 0; i < keys_.size(); ++i) {
    uint32_t h = Hash(keys_[i]) & mask_;
    while (table_[h] >= 0) h = (h + 1) & mask_;
    table_[h] = static_cast<int32_t>(i);
  }
}

}  // namespace detect
