// ParseLookupTableFile: an `AnalysisType: lookup_table` file and the data file it names (CSV with a header
// row, a JSON array of objects, or NDJSON) to a LookupTable with its selectors by log type.
#ifndef DETECT_ENGINE_PARSE_LOOKUP_TABLE_READER_H_
#define DETECT_ENGINE_PARSE_LOOKUP_TABLE_READER_H_

#include <string>
#include <vector>

#include "engine/internal/lookup_table.h"
#include "engine/options.h"
#include "engine/parse/yaml_file.h"
#include "engine/source_location.h"

namespace detect::engine_internal {

// Loads the table into `tables` (`Filename` relative to the table's file, at most max_lookup_table_bytes).
// The data text is appended to `data_for_version` so the rule-set version changes when the data does.
// Problems are issues at the table file's line and column.
void ParseLookupTableFile(const ParsedFile& file, const EngineOptions& options, LookupTableSet* tables,
                          std::string* data_for_version, std::vector<RuleIssue>* issues);

}  // namespace detect::engine_internal

#endif  // DETECT_ENGINE_PARSE_LOOKUP_TABLE_READER_H_
