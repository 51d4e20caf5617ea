// DetectionParser: YAML detection expressions (Panther's simple-detection grammar and this project's
// extensions) to rule AST nodes (rule_ast.h), reporting rule-author mistakes as issues with file:line:col: the
// shape of each expression, the condition's spelling, its keys (DataModel names resolved here) and the types of
// its operands. What needs the engine (regular expressions, CIDR networks, sets) is engine/compile/'s job.
#ifndef DETECT_ENGINE_PARSE_DETECTION_PARSER_H_
#define DETECT_ENGINE_PARSE_DETECTION_PARSER_H_

#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "engine/internal/field_path.h"
#include "engine/options.h"
#include "engine/parse/rule_ast.h"
#include "engine/source_location.h"
#include "yaml-cpp/yaml.h"

namespace detect::engine_internal {

// Data model names (`DataModel: username`) to paths, by log type; see docs/rule-format.md.
using DataModelMap = absl::flat_hash_map<std::string, FieldPath>;

// Thread-compatible; one per rule file.
class DetectionParser {
 public:
  // `file_name` (borrowed) names files[file_index] in issues; AST locations carry the index.
  DetectionParser(const std::string& file_name, uint32_t file_index, const EngineOptions& options,
                  std::vector<RuleIssue>* issues, const DataModelMap* data_model = nullptr);

  // A YAML sequence of expressions; `what` names it in messages ("Detection", "InlineFilters", ...).
  // Returns false (with issues) when anything in it is wrong; the expressions that were right are in *out.
  bool ParseList(const YAML::Node& list, absl::string_view what, std::vector<ast::Node>* out);
  bool ParseExpr(const YAML::Node& node, ast::Node* out);
  // A lone key specifier (Key, KeyPath, DeepKey, Enrichment, DataModel): GroupBy, AlertContext, multi-key.
  bool ParseKeySpec(const YAML::Node& node, absl::string_view what, FieldPath* out);

  void Error(const YAML::Node& node, std::string message);

 private:
  ast::Location Loc(const YAML::Node& node) const;
  bool ParseCondition(const YAML::Node& node, ast::Node* out);
  bool ParseOperands(const YAML::Node& node, ast::Node* out);
  // True when `node` has a key specifier; then sets *out (false + issue when it is malformed).
  bool FindKeySpec(const YAML::Node& node, FieldPath* out, bool* ok);

  const std::string& file_;
  const uint32_t file_index_;
  const EngineOptions& options_;
  size_t expressions_ = 0;  // Parsed so far, against options_.max_rule_expressions.
  std::vector<RuleIssue>* issues_;
  const DataModelMap* data_model_;
};

}  // namespace detect::engine_internal

#endif  // DETECT_ENGINE_PARSE_DETECTION_PARSER_H_
