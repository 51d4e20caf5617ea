// RuleParser: one Panther analysis YAML file to a CompiledRule (or a data model), with every problem reported
// as an issue at file:line:col. yaml-cpp exceptions are caught here, at the parse boundary, and nowhere else.
#ifndef DETECT_ENGINE_PARSE_RULE_PARSER_H_
#define DETECT_ENGINE_PARSE_RULE_PARSER_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "engine/internal/compiled_rule.h"
#include "engine/parse/detection_parser.h"
#include "engine/internal/lookup_table.h"
#include "engine/options.h"
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

// Data models by log type, from `AnalysisType: datamodel` files.
using DataModels = absl::flat_hash_map<std::string, DataModelMap>;
void ParseDataModel(const ParsedFile& file, const EngineOptions& options, DataModels* models,
                    std::vector<RuleIssue>* issues);

// Loads a `AnalysisType: lookup_table` file and its data file (CSV with a header, or a JSON array of objects,
// or NDJSON; `Filename` relative to the table's file) into `tables`. The data text is appended to
// `data_for_version` so the rule-set version changes when the data does.
void ParseLookupTableFile(const ParsedFile& file, const EngineOptions& options, LookupTableSet* tables,
                          std::string* data_for_version, std::vector<RuleIssue>* issues);

// Compiles a rule file (AnalysisType rule or scheduled_rule). Null when the rule has errors (all reported).
std::unique_ptr<CompiledRule> ParseRule(const ParsedFile& file, const EngineOptions& options,
                                        const DataModels& models, std::vector<RuleIssue>* issues);

}  // namespace detect::engine_internal

#endif  // DETECT_ENGINE_PARSE_RULE_PARSER_H_
