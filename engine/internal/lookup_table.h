// Lookup tables: outside data (tor exit nodes, IP-to-ASN, threat intel) that rules read through Panther's
// `p_enrichment` field. Loaded from files when the rule set is built (Panther's `AnalysisType: lookup_table`
// with a CSV or JSON data file); never fetched from the network.
#ifndef DETECT_ENGINE_INTERNAL_LOOKUP_TABLE_H_
#define DETECT_ENGINE_INTERNAL_LOOKUP_TABLE_H_

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "engine/eval/eval_state.h"
#include "engine/internal/field_path.h"
#include "engine/internal/ip_address.h"
#include "engine/value.h"
#include "simdjson.h"

namespace detect::engine_internal {

// One table: rows keyed by their primary key (exact strings, or CIDR networks matched against IP addresses),
// and the event fields (selectors) whose values are looked up, per log type. Immutable once built; thread-safe.
class LookupTable {
 public:
  // `rows_json` is a JSON array of row objects; `primary_key` names the key column.
  static absl::StatusOr<std::unique_ptr<LookupTable>> Create(std::string name, const std::string& rows_json,
                                                            const std::string& primary_key);

  const std::string& name() const { return name_; }
  size_t size() const { return rows_.size(); }
  void AddSelector(const std::string& log_type, FieldPath selector) {
    selectors_[log_type].push_back(std::move(selector));
  }
  const std::vector<FieldPath>* Selectors(absl::string_view log_type) const;

  // The row whose key is `key` (or whose CIDR key contains the address `key`), or Missing.
  Value Find(absl::string_view key) const;

 private:
  LookupTable() = default;

  std::string name_;
  std::unique_ptr<simdjson::dom::parser> parser_;  // Owns the rows' document.
  std::vector<Value> rows_;
  absl::flat_hash_map<std::string, size_t> exact_;
  std::vector<std::pair<IpNetwork, size_t>> networks_;
  absl::flat_hash_map<std::string, std::vector<FieldPath>> selectors_;
};

// Converts CSV text with a header row to a JSON array of objects (all values strings). Quoted fields with
// commas, doubled quotes and newlines are handled; InvalidArgument on unbalanced quotes or ragged rows.
absl::StatusOr<std::string> CsvToJsonRows(absl::string_view csv);

// All tables of a rule set, by name. Immutable; thread-safe.
using LookupTables = absl::flat_hash_map<std::string, std::unique_ptr<LookupTable>>;

// What a RuleSet owns (a struct so public headers can forward-declare it).
struct LookupTableSet {
  LookupTables tables;
};

}  // namespace detect::engine_internal

#endif  // DETECT_ENGINE_INTERNAL_LOOKUP_TABLE_H_
