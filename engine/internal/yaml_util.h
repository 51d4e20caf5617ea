// YAML helpers shared by the rule parser: YAML 1.2 core-schema typing of scalars (yaml-cpp would read `yes` as
// a boolean), node locations, and YAML-to-JSON conversion for test events.
#ifndef DETECT_ENGINE_INTERNAL_YAML_UTIL_H_
#define DETECT_ENGINE_INTERNAL_YAML_UTIL_H_

#include <string>

#include "engine/internal/literal.h"
#include "engine/source_location.h"
#include "yaml-cpp/yaml.h"

namespace detect::engine_internal {

// Types a scalar node by the YAML 1.2 core schema: quoted scalars are strings; plain ones are null
// (null/Null/NULL/~/empty), bool (true/True/TRUE/false/...), int (decimal, 0o octal, 0x hex), float, else string.
Literal ScalarToLiteral(const YAML::Node& node);

// 1-based location of a node in `file`.
SourceLocation LocationOf(const YAML::Node& node, const std::string& file);

// Appends the JSON text of a YAML node (maps, sequences, typed scalars) to `out`. False when the text would
// pass `max_bytes` (YAML aliases can make a small file expand enormously): `out` is then incomplete.
bool AppendYamlAsJson(const YAML::Node& node, std::string& out, size_t max_bytes);

// Checks what yaml-cpp would choke on before it parses: text that is not UTF-8 (YAML requires Unicode), and
// nesting deeper than `max_depth` (yaml-cpp recurses per level). Returns an error message with the 1-based
// line and column in *line / *column, or "" when the text is acceptable.
std::string CheckYamlText(absl::string_view text, int max_depth, int* line, int* column);

}  // namespace detect::engine_internal

#endif  // DETECT_ENGINE_INTERNAL_YAML_UTIL_H_
