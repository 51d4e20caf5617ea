// DetectionParser: YAML detection expressions (Panther's simple-detection grammar and this project's
// extensions) to compiled Expr trees, reporting rule-author mistakes as issues with file:line:col.
#ifndef DETECT_ENGINE_PARSE_DETECTION_PARSER_H_
#define DETECT_ENGINE_PARSE_DETECTION_PARSER_H_

#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "engine/internal/expr.h"
#include "engine/options.h"
#include "engine/source_location.h"
#include "yaml-cpp/yaml.h"

namespace detect::engine_internal {

// Data model names (`DataModel: username`) to paths, by log type; see docs/rule-format.md.
using DataModelMap = absl::flat_hash_map<std::string, FieldPath>;

// Thread-compatible; one per rule file.
class DetectionParser {
 public:
  DetectionParser(std::string file, const EngineOptions& options, std::vector<RuleIssue>* issues,
                  const DataModelMap* data_model = nullptr);

  // A YAML sequence of expressions; `what` names it in messages ("Detection", "InlineFilters", ...).
  // Returns false (with issues) when anything in it is wrong.
  bool ParseList(const YAML::Node& list, absl::string_view what, std::vector<Expr>* out);
  bool ParseExpr(const YAML::Node& node, Expr* out);
  // A lone key specifier (Key, KeyPath, DeepKey, Enrichment, DataModel): GroupBy, AlertContext, multi-key.
  bool ParseKeySpec(const YAML::Node& node, absl::string_view what, FieldPath* out);

  void Error(const YAML::Node& node, std::string message);

 private:
  bool ParseCondition(const YAML::Node& node, Expr* out);
  bool ParseOperands(const YAML::Node& node, Expr* out);
  // True when `node` has a key specifier; then sets *out (false + issue when it is malformed).
  bool FindKeySpec(const YAML::Node& node, FieldPath* out, bool* ok);

  std::string file_;
  const EngineOptions& options_;
  size_t expressions_ = 0;  // Parsed so far, against options_.max_rule_expressions.
  std::vector<RuleIssue>* issues_;
  const DataModelMap* data_model_;
};

}  // namespace detect::engine_internal

#endif  // DETECT_ENGINE_PARSE_DETECTION_PARSER_H_
