// Lookup table storage and CSV reading.
#include "engine/internal/lookup_table.h"

#include "absl/strings/str_cat.h"
#include "common/json_escape.h"
#include "engine/internal/yaml_util.h"
#include "engine/internal/json_element.h"

namespace detect::engine_internal {

absl::StatusOr<std::unique_ptr<LookupTable>> LookupTable::Create(std::string name, const std::string& rows_json,
                                                                const std::string& primary_key) {
  auto table = std::unique_ptr<LookupTable>(new LookupTable());
  table->name_ = std::move(name);
  table->parser_ = std::make_unique<simdjson::dom::parser>();
  simdjson::dom::element root;
  if (auto error = table->parser_->parse(rows_json).get(root); error) {
    return absl::InvalidArgumentError(absl::StrCat("lookup table data is not valid JSON: ", simdjson::error_message(error)));
  }
  const Value rows = JsonElementToValue(root);
  if (!rows.is_list()) return absl::InvalidArgumentError("lookup table data must be a list of rows");
  absl::Status status;
  rows.ForEachElement([&](const Value& row) {
    const Value key = row.Get(primary_key);
    if (!row.is_object() || !key.is_string()) {
      status = absl::InvalidArgumentError(
          absl::StrCat("lookup table row ", table->rows_.size() + 1, " has no string primary key \"", primary_key, "\""));
      return false;
    }
    const size_t index = table->rows_.size();
    table->rows_.push_back(row);
    const absl::string_view k = key.string_value();
    if (k.find('/') != absl::string_view::npos) {
      if (auto net = ParseIpNetwork(k)) {
        table->networks_.emplace_back(*net, index);
        return true;
      }
    }
    table->exact_.try_emplace(std::string(k), index);
    return true;
  });
  if (!status.ok()) return status;
  return table;
}

const std::vector<FieldPath>* LookupTable::Selectors(absl::string_view log_type) const {
  auto it = selectors_.find(log_type);
  return it == selectors_.end() ? nullptr : &it->second;
}

Value LookupTable::Find(absl::string_view key) const {
  auto it = exact_.find(key);
  if (it != exact_.end()) return rows_[it->second];
  if (networks_.empty()) return Value();
  auto ip = ParseIpAddress(key);
  if (!ip) return Value();
  for (const auto& [net, index] : networks_) {
    if (NetworkContains(net, *ip)) return rows_[index];
  }
  return Value();
}

absl::StatusOr<std::string> CsvToJsonRows(absl::string_view csv) {
  std::vector<std::vector<std::string>> records;
  std::vector<std::string> record;
  std::string field;
  bool quoted = false, field_started = false;
  for (size_t i = 0; i < csv.size(); ++i) {
    const char c = csv[i];
    if (quoted) {
      if (c == '"' && i + 1 < csv.size() && csv[i + 1] == '"') {
        field.push_back('"');
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        field.push_back(c);
      }
      continue;
    }
    if (c == '"' && !field_started) {
      quoted = field_started = true;
    } else if (c == ',') {
      record.push_back(std::move(field));
      field.clear();
      field_started = false;
    } else if (c == '\n' || c == '\r') {
      if (c == '\r' && i + 1 < csv.size() && csv[i + 1] == '\n') ++i;
      record.push_back(std::move(field));
      field.clear();
      field_started = false;
      if (!(record.size() == 1 && record[0].empty())) records.push_back(std::move(record));
      record.clear();
    } else {
      field.push_back(c);
      field_started = true;
    }
  }
  if (quoted) return absl::InvalidArgumentError("CSV has an unterminated quoted field");
  if (field_started || !record.empty()) {
    record.push_back(std::move(field));
    records.push_back(std::move(record));
  }
  if (records.empty()) return absl::InvalidArgumentError("CSV has no header row");
  const std::vector<std::string>& header = records[0];
  std::string json = "[";
  for (size_t r = 1; r < records.size(); ++r) {
    if (records[r].size() != header.size()) {
      return absl::InvalidArgumentError(absl::StrCat("CSV row ", r + 1, " has ", records[r].size(),
                                                     " fields; the header has ", header.size()));
    }
    if (r > 1) json += ',';
    json += '{';
    for (size_t f = 0; f < header.size(); ++f) {
      if (f > 0) json += ',';
      AppendJsonString(header[f], &json);
      json += ':';
      AppendJsonString(records[r][f], &json);
    }
    json += '}';
  }
  json += ']';
  return json;
}

}  // namespace detect::engine_internal
