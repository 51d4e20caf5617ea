// The trie of path steps, its memo slots and materialized prefixes.
#include "engine/compile/path_interner.h"

#include <algorithm>

#include "absl/strings/str_cat.h"

namespace detect::engine_internal {

int PathInterner::Node(int parent, const PathStep& step) {
  const auto [it, inserted] = nodes_.try_emplace(
      NodeKey(parent, static_cast<int>(step.kind), step.kind == PathStep::kKey ? step.key : std::string(),
              step.kind == PathStep::kIndex ? step.index : 0),
      static_cast<int>(nodes_.size()));
  if (inserted) {
    slot_of_node_.push_back(-1);
    prefix_of_node_.push_back(nullptr);
  }
  return it->second;
}

int PathInterner::SlotOf(int node) {
  int& slot = slot_of_node_[static_cast<size_t>(node)];
  if (slot < 0) slot = next_slot_++;
  return slot;
}

int PathInterner::RootSlot(const std::string& key) {
  return root_slots_.try_emplace(key, static_cast<int>(root_slots_.size())).first->second;
}

std::vector<std::string> PathInterner::RootKeyList() const {
  std::vector<std::string> keys(root_slots_.size());
  for (const auto& [key, slot] : root_slots_) keys[static_cast<size_t>(slot)] = key;
  return keys;
}

std::vector<PathInterner::RootKeyMemo> PathInterner::RootKeyMemos() const {
  std::vector<RootKeyMemo> memos(root_slots_.size());
  absl::flat_hash_map<int, int> root_of_node;  // Node of a top-level key -> its root slot.
  for (const auto& [key, node] : nodes_) {
    if (std::get<0>(key) != -1 || std::get<1>(key) != PathStep::kKey) continue;
    auto root = root_slots_.find(std::get<2>(key));
    if (root == root_slots_.end()) continue;
    root_of_node[node] = root->second;
    memos[static_cast<size_t>(root->second)].slot = slot_of_node_[static_cast<size_t>(node)];
  }
  for (const auto& [key, node] : nodes_) {
    if (std::get<1>(key) != PathStep::kKey) continue;
    auto root = root_of_node.find(std::get<0>(key));
    const int slot = slot_of_node_[static_cast<size_t>(node)];
    if (root == root_of_node.end() || slot < 0) continue;
    memos[static_cast<size_t>(root->second)].children.emplace_back(std::get<2>(key), slot);
  }
  for (RootKeyMemo& m : memos) std::sort(m.children.begin(), m.children.end());  // Deterministic ids.
  return memos;
}

namespace {

// Marks paths whose memo slot the root projection fills: a top-level key, or a key below one.
void MarkProjected(FieldPath& p) {
  const bool keys = p.cache_slot >= 0 && p.root_slot >= 0 && !p.steps.empty() &&
                    p.steps[0].kind == PathStep::kKey && (p.steps.size() < 2 || p.steps[1].kind == PathStep::kKey);
  p.projected_depth = keys && p.steps.size() <= 2 ? static_cast<uint8_t>(p.steps.size()) : 0;
}

}  // namespace

// The first `n` steps of `path` (nodes[n - 1] is their node) as an interned FieldPath with its own parent.
const FieldPath* PathInterner::Prefix(const FieldPath& path, size_t n, const std::vector<int>& nodes) {
  const size_t node = static_cast<size_t>(nodes[n - 1]);
  if (prefix_of_node_[node] != nullptr) return prefix_of_node_[node];
  auto prefix = std::make_unique<FieldPath>();
  prefix->steps.assign(path.steps.begin(), path.steps.begin() + static_cast<std::ptrdiff_t>(n));
  for (const PathStep& s : prefix->steps) {
    absl::StrAppend(&prefix->text, prefix->text.empty() ? "" : ".",
                    s.kind == PathStep::kIndex ? std::to_string(s.index) : s.key);
  }
  prefix->cache_slot = SlotOf(nodes[n - 1]);
  if (prefix->steps[0].kind == PathStep::kKey) prefix->root_slot = RootSlot(prefix->steps[0].key);
  if (n > 1) prefix->parent = Prefix(path, n - 1, nodes);  // n <= kMaxInternedPrefix: shallow recursion.
  MarkProjected(*prefix);
  prefix_of_node_[node] = prefix.get();
  prefixes_.push_back(std::move(prefix));
  return prefix_of_node_[node];
}

bool PathInterner::Path(FieldPath& p) {
  if (p.empty()) return true;
  std::vector<int> nodes;
  nodes.reserve(p.steps.size());
  for (const PathStep& step : p.steps) nodes.push_back(Node(nodes.empty() ? -1 : nodes.back(), step));
  if (max_segments_ != 0 && nodes_.size() > max_segments_) return false;
  p.cache_slot = SlotOf(nodes.back());
  if (p.steps[0].kind == PathStep::kKey) p.root_slot = RootSlot(p.steps[0].key);
  size_t parent_len = std::min(p.steps.size() - 1, kMaxInternedPrefix);
  for (size_t i = 0; i < parent_len; ++i) {
    if (p.steps[i].kind == PathStep::kWildcard) {
      parent_len = i;
      break;
    }
  }
  if (parent_len >= 1) p.parent = Prefix(p, parent_len, nodes);
  MarkProjected(p);
  return true;
}

// Paths inside comprehension Expressions are relative to elements and are not memoized.
bool PathInterner::Exprs(std::vector<Expr>& exprs) {
  for (Expr& e : exprs) {
    if (!Path(e.path) || !Path(e.other_path)) return false;
    if (!IsComprehension(e.op) && !Exprs(e.children)) return false;
  }
  return true;
}

bool PathInterner::Rule(CompiledRule& r) {
  if (!Exprs(r.inline_filters) || !Exprs(r.detection)) return false;
  for (auto& v : r.titles) {
    if (!Exprs(v.conditions)) return false;
    for (auto& part : v.value.parts) {
      if (!Path(part.path)) return false;
    }
  }
  for (auto& v : r.dedups) {
    if (!Exprs(v.conditions)) return false;
    for (auto& part : v.value.parts) {
      if (!Path(part.path)) return false;
    }
  }
  for (auto& v : r.dynamic_severities) {
    if (!Exprs(v.conditions)) return false;
  }
  for (auto& p : r.group_by) {
    if (!Path(p)) return false;
  }
  for (auto& [name, p] : r.alert_context) {
    if (!Path(p)) return false;
  }
  for (auto& p : r.summary_paths) {
    if (!Path(p)) return false;
  }
  if (!r.distinct_path.empty() && !Path(r.distinct_path)) return false;
  for (auto& f : r.alert_fields) {  // Element templates and filters are relative: not memoized.
    if (!Path(f.list)) return false;
  }
  return true;
}

}  // namespace detect::engine_internal
