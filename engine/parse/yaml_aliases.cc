// Alias checks over yaml-cpp's event stream: see yaml_aliases.h.
#include "engine/parse/yaml_aliases.h"

#include <sstream>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "yaml-cpp/eventhandler.h"
#include "yaml-cpp/exceptions.h"
#include "yaml-cpp/parser.h"

namespace detect::engine_internal {
namespace {

// Thrown out of the parser's callbacks to stop at the first problem.
struct AliasProblem {
  std::string message;
  YAML::Mark mark;
};

// Follows the document as a stack of open collections, each counting the nodes it stands for (aliases count
// as their anchor's whole node). yaml-cpp numbers anchors from 1 in the order they are defined; an alias
// names the latest definition of its anchor.
class AliasChecker final : public YAML::EventHandler {
 public:
  explicit AliasChecker(uint64_t max_nodes) : max_nodes_(max_nodes) {}

  void OnDocumentStart(const YAML::Mark&) override {}
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark& mark, YAML::anchor_t anchor) override { Leaf(mark, anchor); }
  void OnScalar(const YAML::Mark& mark, const std::string&, YAML::anchor_t anchor, const std::string&) override {
    Leaf(mark, anchor);
  }
  void OnAlias(const YAML::Mark& mark, YAML::anchor_t anchor) override {
    if (anchor >= anchors_.size() || anchors_[anchor].open) {
      throw AliasProblem{"invalid YAML: an alias refers to a node that contains it (the document would be endless)",
                         mark};
    }
    Add(mark, anchors_[anchor].nodes);
  }
  void OnSequenceStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t anchor,
                       YAML::EmitterStyle::value) override {
    Open(mark, anchor);
  }
  void OnSequenceEnd() override { Close(); }
  void OnMapStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t anchor,
                  YAML::EmitterStyle::value) override {
    Open(mark, anchor);
  }
  void OnMapEnd() override { Close(); }

 private:
  struct Anchor {
    bool open = false;
    uint64_t nodes = 0;
  };
  struct Collection {
    YAML::anchor_t anchor;
    YAML::Mark mark;
    uint64_t nodes;
  };

  Anchor& AnchorAt(YAML::anchor_t anchor) {
    if (anchor >= anchors_.size()) anchors_.resize(anchor + 1);
    return anchors_[anchor];
  }
  void Leaf(const YAML::Mark& mark, YAML::anchor_t anchor) {
    if (anchor != YAML::NullAnchor) AnchorAt(anchor) = {false, 1};
    Add(mark, 1);
  }
  void Open(const YAML::Mark& mark, YAML::anchor_t anchor) {
    if (anchor != YAML::NullAnchor) AnchorAt(anchor).open = true;
    open_.push_back({anchor, mark, 1});
  }
  void Close() {
    const Collection done = open_.back();
    open_.pop_back();
    if (done.anchor != YAML::NullAnchor) AnchorAt(done.anchor) = {false, done.nodes};
    if (!open_.empty()) {
      Add(done.mark, done.nodes);
    }
  }
  // Counts `nodes` more into the innermost open collection. Every count stays at most max_nodes_, so sums
  // cannot overflow.
  void Add(const YAML::Mark& mark, uint64_t nodes) {
    if (open_.empty()) return;
    uint64_t& total = open_.back().nodes;
    if (nodes > max_nodes_ - total) {
      throw AliasProblem{absl::StrCat("invalid YAML: its aliases expand the document to more than ", max_nodes_,
                                      " nodes"),
                         mark};
    }
    total += nodes;
  }

  const uint64_t max_nodes_;
  std::vector<Anchor> anchors_;  // By anchor number.
  std::vector<Collection> open_;
};

}  // namespace

std::string CheckYamlAliases(absl::string_view text, uint64_t max_nodes, int* line, int* column) {
  if (text.find('&') == absl::string_view::npos || text.find('*') == absl::string_view::npos) return "";
  std::istringstream in{std::string(text)};
  YAML::Parser parser(in);
  AliasChecker checker(max_nodes);
  try {
    parser.HandleNextDocument(checker);
  } catch (const AliasProblem& problem) {
    *line = problem.mark.line + 1;
    *column = problem.mark.column + 1;
    return problem.message;
  } catch (const YAML::Exception&) {
    return "";  // Not YAML: YAML::Load reports it.
  }
  return "";
}

}  // namespace detect::engine_internal
