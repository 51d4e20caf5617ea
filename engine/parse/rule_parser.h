// RuleParser: one Panther analysis YAML file to a rule AST (rule_ast.h) or a data model, with every problem
// reported as an issue at file:line:col. The Panther front end; engine/compile/rule_compiler.h takes it on. Loading the YAML is yaml_file.h's job; lookup table files are
// lookup_table_reader.h's.
#ifndef DETECT_ENGINE_PARSE_RULE_PARSER_H_
#define DETECT_ENGINE_PARSE_RULE_PARSER_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "engine/options.h"
#include "engine/parse/detection_parser.h"
#include "engine/parse/rule_ast.h"
#include "engine/parse/yaml_file.h"
#include "yaml-cpp/yaml.h"

namespace detect::engine_internal {

// Data models by log type, from `AnalysisType: datamodel` files.
using DataModels = absl::flat_hash_map<std::string, DataModelMap>;
void ParseDataModel(const ParsedFile& file, DataModels* models, std::vector<RuleIssue>* issues);

// Parses a rule file (AnalysisType rule or scheduled_rule); `file_index` is its index in the rule set's
// ast::SourceFiles. *ok is false when the rule has errors (all reported); the AST of what parsed is still
// returned then, so that the compiler reports its mistakes too, unless nothing of the rule is compilable (a
// Python rule, no Detection): null.
std::unique_ptr<ast::Rule> ParseRule(const ParsedFile& file, uint32_t file_index, const EngineOptions& options,
                                     const DataModels& models, std::vector<RuleIssue>* issues, bool* ok);

}  // namespace detect::engine_internal

#endif  // DETECT_ENGINE_PARSE_RULE_PARSER_H_
