// RuleParser: one Panther analysis YAML file to a CompiledRule (or a data model), with every problem reported
// as an issue at file:line:col. Loading the YAML is yaml_file.h's job; lookup table files are
// lookup_table_reader.h's.
#ifndef DETECT_ENGINE_PARSE_RULE_PARSER_H_
#define DETECT_ENGINE_PARSE_RULE_PARSER_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "engine/internal/compiled_rule.h"
#include "engine/parse/detection_parser.h"
#include "engine/options.h"
#include "engine/parse/yaml_file.h"
#include "yaml-cpp/yaml.h"

namespace detect::engine_internal {

// Data models by log type, from `AnalysisType: datamodel` files.
using DataModels = absl::flat_hash_map<std::string, DataModelMap>;
void ParseDataModel(const ParsedFile& file, DataModels* models, std::vector<RuleIssue>* issues);

// Compiles a rule file (AnalysisType rule or scheduled_rule). Null when the rule has errors (all reported).
std::unique_ptr<CompiledRule> ParseRule(const ParsedFile& file, const EngineOptions& options,
                                        const DataModels& models, std::vector<RuleIssue>* issues);

}  // namespace detect::engine_internal

#endif  // DETECT_ENGINE_PARSE_RULE_PARSER_H_
