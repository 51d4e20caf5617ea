// Projection: the fields of an event that a rule set reads, as a trie of object keys compiled once per rule
// set. The On-Demand reader (engine/json/projected_event.h) walks each event once and keeps exactly the values
// at the trie's nodes; everything else in the event is validated and skipped.
#ifndef DETECT_ENGINE_JSON_PROJECTION_H_
#define DETECT_ENGINE_JSON_PROJECTION_H_

#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"

namespace detect::json_internal {

// A trie of key paths. Node 0 is the event root; nodes are numbered in depth-first preorder, so the
// descendants of node n are exactly the nodes n+1 .. subtree_end(n)-1. Children of a node are found through a
// small open-addressing table hashed on the key's length and three of its bytes (the compile-time dispatch
// table of the top-level keys, and of every inner object). Immutable after Build(); thread-safe.
class Projection {
 public:
  // The trie of `paths` (each a list of object keys from the event root). Paths may share prefixes and repeat.
  static Projection Build(const std::vector<std::vector<std::string>>& paths);

  static constexpr int kRoot = 0;
  size_t size() const { return nodes_.size(); }
  // The child of `node` for `key`, or -1 when no path continues through it.
  int FindChild(int node, absl::string_view key) const {
    const Node& n = nodes_[static_cast<size_t>(node)];
    if (n.mask == 0) return -1;
    for (uint32_t h = Hash(key) & n.mask;; h = (h + 1) & n.mask) {
      const int child = table_[n.table + h];
      if (child < 0) return -1;
      const std::string& k = nodes_[static_cast<size_t>(child)].key;
      if (k.size() == key.size() && (key.empty() || std::memcmp(k.data(), key.data(), key.size()) == 0)) {
        return child;
      }
    }
  }
  int subtree_end(int node) const { return nodes_[static_cast<size_t>(node)].subtree_end; }
  int parent(int node) const { return nodes_[static_cast<size_t>(node)].parent; }
  const std::string& key(int node) const { return nodes_[static_cast<size_t>(node)].key; }
  bool has_children(int node) const { return nodes_[static_cast<size_t>(node)].mask != 0; }

 private:
  struct Node {
    std::string key;     // Empty for the root.
    int parent = -1;
    int subtree_end = 0;
    uint32_t table = 0;  // First bucket of this node's child table in table_.
    uint32_t mask = 0;   // Buckets - 1; 0 when the node has no children.
  };
  static uint32_t Hash(absl::string_view k) {
    if (k.empty()) return 0;
    const auto byte = [&](size_t i) { return static_cast<uint32_t>(static_cast<unsigned char>(k[i])); };
    return static_cast<uint32_t>(k.size()) * 0x9E3779B1u ^ byte(0) * 0x85EBCA77u ^
           byte(k.size() / 2) * 0xC2B2AE3Du ^ byte(k.size() - 1) * 0x27D4EB2Fu;
  }

  std::vector<Node> nodes_;
  std::vector<int32_t> table_;  // Child node per bucket, -1 when empty; each table at most a quarter full.
};

}  // namespace detect::json_internal

#endif  // DETECT_ENGINE_JSON_PROJECTION_H_
