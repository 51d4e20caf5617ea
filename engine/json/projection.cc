// The trie of projected key paths: see projection.h.
#include "engine/json/projection.h"

#include <map>
#include <memory>

namespace detect::json_internal {
namespace {

struct TempNode {
  std::map<std::string, std::unique_ptr<TempNode>> children;  // Ordered: deterministic numbering.
};

}  // namespace

Projection Projection::Build(const std::vector<std::vector<std::string>>& paths) {
  TempNode root;
  for (const auto& path : paths) {
    TempNode* n = &root;
    for (const std::string& key : path) {
      auto& child = n->children[key];
      if (child == nullptr) child = std::make_unique<TempNode>();
      n = child.get();
    }
  }
  Projection p;
  // Preorder numbering, iteratively (paths are at most kMaxPathSegments deep, but keep the stack flat).
  struct Frame {
    const TempNode* node;
    int index;
    std::map<std::string, std::unique_ptr<TempNode>>::const_iterator next;
  };
  p.nodes_.push_back(Node{});
  std::vector<Frame> stack = {{&root, 0, root.children.begin()}};
  while (!stack.empty()) {
    Frame& f = stack.back();
    if (f.next == f.node->children.end()) {
      p.nodes_[static_cast<size_t>(f.index)].subtree_end = static_cast<int>(p.nodes_.size());
      stack.pop_back();
      continue;
    }
    const auto& [key, child] = *f.next++;
    Node n;
    n.key = key;
    n.parent = f.index;
    p.nodes_.push_back(std::move(n));
    stack.push_back({child.get(), static_cast<int>(p.nodes_.size() - 1), child->children.begin()});
  }
  // Child tables.
  std::vector<std::vector<int>> children(p.nodes_.size());
  for (size_t i = 1; i < p.nodes_.size(); ++i) children[static_cast<size_t>(p.nodes_[i].parent)].push_back(static_cast<int>(i));
  for (size_t i = 0; i < p.nodes_.size(); ++i) {
    if (children[i].empty()) continue;
    uint32_t buckets = 4;
    while (buckets < 4 * children[i].size()) buckets *= 2;
    Node& n = p.nodes_[i];
    n.table = static_cast<uint32_t>(p.table_.size());
    n.mask = buckets - 1;
    p.table_.resize(p.table_.size() + buckets, -1);
    for (int c : children[i]) {
      uint32_t h = Hash(p.nodes_[static_cast<size_t>(c)].key) & n.mask;
      while (p.table_[n.table + h] >= 0) h = (h + 1) & n.mask;
      p.table_[n.table + h] = c;
    }
  }
  return p;
}

}  // namespace detect::json_internal
