// PathInterner: gives every field path a rule set reads from the event root a memo slot shared by all paths
// with the same steps (rules that read `user.username` look it up once per event), and links each path to an
// interned prefix (`objectRef.name` and `objectRef.namespace` read `objectRef` once). Linear in the segments of
// the paths: paths are interned as a trie of (parent node, step) nodes, never as strings of whole prefixes, and
// only prefixes of up to kMaxInternedPrefix steps are materialized (a deeper path walks the rest of its steps
// from that prefix: the same value, one memo fewer).
#ifndef DETECT_ENGINE_COMPILE_PATH_INTERNER_H_
#define DETECT_ENGINE_COMPILE_PATH_INTERNER_H_

#include <cstddef>
#include <memory>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "engine/internal/compiled_rule.h"
#include "engine/internal/expr.h"
#include "engine/internal/field_path.h"

namespace detect::engine_internal {

// Longest interned prefix that a path's `parent` may point at.
inline constexpr size_t kMaxInternedPrefix = 16;

// Thread-compatible; used once per Build().
class PathInterner {
 public:
  // `max_segments`: most trie nodes (distinct path segments) in all; 0: unbounded.
  explicit PathInterner(size_t max_segments) : max_segments_(max_segments) {}

  // Sets slots and parents of every path of `rule` read from the event root. False when the rule takes the
  // interned segments over the bound (its paths may then be partly interned: leave the rule out).
  bool Rule(CompiledRule& rule);
  // The distinct top-level keys the rules read, in slot order.
  std::vector<std::string> RootKeyList() const;
  // Per top-level key (in slot order): the memo slot of the key's own path, and the keys read below it with
  // their memo slots (paths flagged projected_depth 1 and 2).
  struct RootKeyMemo {
    int slot = -1;
    std::vector<std::pair<std::string, int>> children;
  };
  std::vector<RootKeyMemo> RootKeyMemos() const;
  // The interned prefixes, owned by the RuleSet once built.
  std::vector<std::unique_ptr<FieldPath>> TakePrefixes() { return std::move(prefixes_); }
  size_t segments() const { return nodes_.size(); }

 private:
  using NodeKey = std::tuple<int, int, std::string, int64_t>;  // Parent node (-1: root), kind, key, index.

  bool Path(FieldPath& p);
  bool Exprs(std::vector<Expr>& exprs);
  int Node(int parent, const PathStep& step);
  int SlotOf(int node);
  int RootSlot(const std::string& key);
  const FieldPath* Prefix(const FieldPath& path, size_t n, const std::vector<int>& nodes);

  const size_t max_segments_;
  absl::flat_hash_map<NodeKey, int> nodes_;
  std::vector<int> slot_of_node_;                 // -1 until a path or prefix ends at the node.
  std::vector<const FieldPath*> prefix_of_node_;  // Null until materialized.
  int next_slot_ = 0;
  absl::flat_hash_map<std::string, int> root_slots_;  // Top-level key -> its slot, numbered as first seen.
  std::vector<std::unique_ptr<FieldPath>> prefixes_;
};

}  // namespace detect::engine_internal

#endif  // DETECT_ENGINE_COMPILE_PATH_INTERNER_H_
