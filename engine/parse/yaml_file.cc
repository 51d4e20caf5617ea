// LoadYamlFile: the guarded YAML load of one analysis file.
#include "engine/parse/yaml_file.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "engine/internal/yaml_util.h"
#include "engine/parse/yaml_aliases.h"

namespace detect::engine_internal {

ParsedFile LoadYamlFile(std::string name, const std::string& text, int max_depth, std::vector<RuleIssue>* issues) {
  ParsedFile file;
  file.name = std::move(name);
  int line = 0, column = 0;
  std::string problem = CheckYamlText(text, max_depth, &line, &column);
  if (problem.empty()) problem = CheckYamlAliases(text, kMaxExpandedYamlNodes, &line, &column);
  if (!problem.empty()) {
    issues->push_back({RuleIssue::Severity::kError, {file.name, line, column}, std::move(problem)});
    return file;
  }
  try {
    file.root = YAML::Load(text);
  } catch (const YAML::Exception& e) {
    SourceLocation loc{file.name, e.mark.line >= 0 ? e.mark.line + 1 : 0, e.mark.column >= 0 ? e.mark.column + 1 : 0};
    issues->push_back({RuleIssue::Severity::kError, loc, absl::StrCat("invalid YAML: ", e.msg)});
    return file;
  }
  if (!file.root.IsMap()) {
    issues->push_back({RuleIssue::Severity::kError, {file.name, 1, 1}, "a rule file must be a YAML mapping"});
    return file;
  }
  const YAML::Node type = file.root["AnalysisType"];
  if (!type || !type.IsScalar()) {
    issues->push_back({RuleIssue::Severity::kError, {file.name, 1, 1}, "missing required key AnalysisType"});
    return file;
  }
  file.analysis_type = type.Scalar();
  file.ok = true;
  return file;
}

}  // namespace detect::engine_internal
