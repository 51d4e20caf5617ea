// Lookup table files: the YAML description, the data file read under its size bound, CSV and NDJSON turned into
// the JSON array of rows LookupTable::Create takes.
#include "engine/parse/lookup_table_reader.h"

#include <filesystem>
#include <fstream>
#include <sstream>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "engine/internal/field_path.h"
#include "engine/parse/field_reader.h"

namespace detect::engine_internal {
namespace {

absl::StatusOr<std::string> ReadTableData(const std::string& path, size_t max_bytes) {
  std::error_code ec;
  const uintmax_t size = std::filesystem::file_size(path, ec);
  if (ec) return absl::NotFoundError(absl::StrCat("cannot read lookup table data ", path, ": ", ec.message()));
  if (size > max_bytes) {
    return absl::InvalidArgumentError(
        absl::StrCat("lookup table data ", path, " is ", size, " bytes, over max_lookup_table_bytes ", max_bytes));
  }
  std::ifstream in(path, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  if (!in) return absl::NotFoundError(absl::StrCat("cannot read lookup table data ", path));
  std::string text = buffer.str();
  if (absl::EndsWith(path, ".csv")) return CsvToJsonRows(text);
  if (absl::EndsWith(path, ".jsonl") || absl::EndsWith(path, ".ndjson")) {
    std::string rows = "[";
    for (absl::string_view line : absl::StrSplit(text, '\n', absl::SkipWhitespace())) {
      if (rows.size() > 1) rows += ',';
      rows.append(line.data(), line.size());
    }
    return rows + "]";
  }
  return text;
}

}  // namespace

void ParseLookupTableFile(const ParsedFile& file, const EngineOptions& options, LookupTableSet* tables,
                          std::string* data_for_version, std::vector<RuleIssue>* issues) {
  FieldReader r(file.name, issues);
  const YAML::Node& root = file.root;
  std::string name, filename, primary_key;
  if (!r.String(root, "LookupName", &name, true) || !r.String(root, "Filename", &filename, true)) return;
  bool enabled = true;
  r.Bool(root, "Enabled", &enabled);
  if (!enabled) return;
  const YAML::Node map = root["LogTypeMap"];
  if (!map || !map.IsMap() || !r.String(map, "PrimaryKey", &primary_key, true)) {
    r.Issue(root, "a lookup table needs LogTypeMap with PrimaryKey and AssociatedLogTypes");
    return;
  }
  const std::string path = (std::filesystem::path(file.name).parent_path() / filename).string();
  auto data = ReadTableData(path, options.max_lookup_table_bytes);
  if (!data.ok()) {
    r.Issue(root["Filename"], std::string(data.status().message()));
    return;
  }
  auto table = LookupTable::Create(name, *data, primary_key);
  if (!table.ok()) {
    r.Issue(root["Filename"], absl::StrCat(path, ": ", table.status().message()));
    return;
  }
  for (const YAML::Node& assoc : map["AssociatedLogTypes"]) {
    std::string log_type;
    if (!assoc.IsMap() || !r.String(assoc, "LogType", &log_type, true)) continue;
    std::vector<std::string> selectors;
    r.StringList(assoc, "Selectors", &selectors);
    for (const std::string& sel : selectors) {
      auto p = ParseKeyPath(sel);
      if (!p.ok()) {
        r.Issue(assoc, absl::StrCat("selector \"", sel, "\": ", p.status().message()));
        continue;
      }
      p->text = p->steps.size() == 1 ? p->steps[0].key : sel;
      (*table)->AddSelector(log_type, *std::move(p));
    }
  }
  if (!tables->tables.try_emplace(name, *std::move(table)).second) {
    r.Issue(root["LookupName"], absl::StrCat("duplicate lookup table \"", name, "\""));
    return;
  }
  absl::StrAppend(data_for_version, name, "\n", *data);
}

}  // namespace detect::engine_internal
