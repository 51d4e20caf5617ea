// ParsedFile and LoadYamlFile: one analysis file's text to its YAML tree and AnalysisType, refusing text that is
// not UTF-8, nests too deep or expands aliases without bound before yaml-cpp sees it. yaml-cpp exceptions are
// caught here, at the parse boundary, and nowhere else.
#ifndef DETECT_ENGINE_PARSE_YAML_FILE_H_
#define DETECT_ENGINE_PARSE_YAML_FILE_H_

#include <string>
#include <vector>

#include "engine/source_location.h"
#include "yaml-cpp/yaml.h"

namespace detect::engine_internal {

// A loaded file: its YAML root, or nothing when the YAML itself is broken (an issue says why).
struct ParsedFile {
  std::string name;
  YAML::Node root;
  bool ok = false;
  std::string analysis_type;
};

// Refuses text that is not UTF-8 or nests deeper than `max_depth` before yaml-cpp sees it.
ParsedFile LoadYamlFile(std::string name, const std::string& text, int max_depth, std::vector<RuleIssue>* issues);

}  // namespace detect::engine_internal

#endif  // DETECT_ENGINE_PARSE_YAML_FILE_H_
