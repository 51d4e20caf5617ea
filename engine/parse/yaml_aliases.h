// Checks a rule file's YAML anchors and aliases before it is loaded into a node tree: an alias inside its own
// anchor's node makes the tree a cycle (every walk over it would recurse forever), and aliases of aliases can
// make a few hundred bytes stand for billions of nodes.
#ifndef DETECT_ENGINE_PARSE_YAML_ALIASES_H_
#define DETECT_ENGINE_PARSE_YAML_ALIASES_H_

#include <cstdint>
#include <string>

#include "absl/strings/string_view.h"

namespace detect::engine_internal {

// Most nodes the first document of a rule file may stand for once every alias is expanded. A file within
// max_rule_file_bytes without aliases has fewer nodes than bytes.
inline constexpr uint64_t kMaxExpandedYamlNodes = uint64_t{1} << 22;

// Reads the first YAML document of `text` as events (cheap: only when the text has both `&` and `*`). Returns
// an error message, with the 1-based line and column of the alias at fault in *line / *column, when an alias
// refers to a node that contains it, or when the expanded document would have more than `max_nodes` nodes;
// "" otherwise, and also for text that is not valid YAML (loading it reports that with yaml-cpp's message).
std::string CheckYamlAliases(absl::string_view text, uint64_t max_nodes, int* line, int* column);

}  // namespace detect::engine_internal

#endif  // DETECT_ENGINE_PARSE_YAML_ALIASES_H_
