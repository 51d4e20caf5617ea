// The event root as rules read it. A rule set reads a few dozen top-level keys of events that have a few dozen
// members; looking each key up in the parsed document scans its members every time. Instead, the members whose
// keys some rule reads are stored once per event in slots numbered at compile time, and a read of a
// top-level key costs one hash of the key and one comparison.
#ifndef DETECT_ENGINE_EVAL_ROOT_PROJECTION_H_
#define DETECT_ENGINE_EVAL_ROOT_PROJECTION_H_

#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "engine/eval/eval_state.h"
#include "engine/value.h"

namespace detect::engine_internal {

// The top-level keys a rule set reads, each with a slot, found through a small open-addressing table hashed on
// the key's length and three of its bytes. Immutable after construction; thread-safe.
class RootKeys {
 public:
  explicit RootKeys(std::vector<std::string> keys);

  // The slot of `key`, or -1 when no rule reads it.
  int Find(absl::string_view key) const {
    for (uint32_t h = Hash(key) & mask_;; h = (h + 1) & mask_) {
      const int slot = table_[h];
      if (slot < 0) return -1;
      const std::string& k = keys_[static_cast<size_t>(slot)];
      if (k.size() == key.size() && (key.empty() || std::memcmp(k.data(), key.data(), key.size()) == 0)) return slot;
    }
  }
  size_t size() const { return keys_.size(); }

 private:
  static uint32_t Hash(absl::string_view k) {
    if (k.empty()) return 0;
    const auto byte = [&](size_t i) { return static_cast<uint32_t>(static_cast<unsigned char>(k[i])); };
    return static_cast<uint32_t>(k.size()) * 0x9E3779B1u ^ byte(0) * 0x85EBCA77u ^ byte(k.size() / 2) * 0xC2B2AE3Du ^
           byte(k.size() - 1) * 0x27D4EB2Fu;
  }

  std::vector<std::string> keys_;
  std::vector<int32_t> table_;  // Slot per hash bucket, -1 when empty; at most a quarter full.
  uint32_t mask_ = 0;
};

// For a JSON object `event`: a Value over `event` whose top-level reads of keys in `keys` come from slots filled
// here in one pass over its members (the last of duplicate keys wins, as in the document); other keys, and
// iteration, go to `event`. Other events are returned as they are. Valid until scratch.BeginEvent().
Value ProjectRoot(const RootKeys& keys, const Value& event, EvalState& scratch);

// When `root` is a projected root: its member of slot `slot` (missing when the event has none) in *out, and
// true. False for any other value.
bool ProjectedRootSlot(const Value& root, int slot, Value* out);

}  // namespace detect::engine_internal

#endif  // DETECT_ENGINE_EVAL_ROOT_PROJECTION_H_
