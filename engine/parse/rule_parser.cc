// Parsing of rule and data-model files into compiled rules.
#include "engine/parse/rule_parser.h"

#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "engine/parse/field_reader.h"
#include "engine/internal/yaml_util.h"

namespace detect::engine_internal {
namespace {

// Every top-level key of Panther's analysis schema, plus this project's AlertDedup, AlertFields and
// ThresholdDistinctField.
constexpr const char* kTopLevelKeys[] = {
    "AnalysisType", "Description", "DisplayName", "Enabled", "CreatedBy", "Filename", "LogTypes",
    "OnlyUseBaseRiskScore", "Reference", "Reports", "Runbook", "Severity", "Tags", "Tests", "PolicyID",
    "ResourceTypes", "Suppressions", "DataModelID", "Mappings", "DedupPeriodMinutes", "OutputIds", "RuleID",
    "SummaryAttributes", "Threshold", "CreateAlert", "ScheduledQueries", "GlobalID", "AthenaQuery", "Query",
    "QueryName", "Schedule", "SnowflakeQuery", "DatabricksQuery", "Lookback", "LookbackWindowSeconds",
    "LogTypeMap", "LookupName", "Refresh", "Schema", "PackID", "PackDefinition", "Detection", "InlineFilters",
    "GroupBy", "AlertContext", "AlertTitle", "DynamicSeverities", "AlertDedup", "AlertFields",
    "ThresholdDistinctField"};
constexpr const char* kTestKeys[] = {"Name",          "ExpectedResult", "LogType",       "ResourceType",
                                     "Mocks",         "Log",            "Resource",      "RuleOutputs",
                                     "ExpectedTitle", "ExpectedDedup",  "ExpectedSeverity", "ExpectedAlertContext"};

template <size_t N>
bool Known(const char* const (&keys)[N], absl::string_view key) {
  for (const char* k : keys) {
    if (key == k) return true;
  }
  return false;
}

void ParseReports(FieldReader& r, const YAML::Node& root, RuleInfo* info) {
  const YAML::Node reports = root["Reports"];
  if (!reports || reports.IsNull()) return;
  if (!reports.IsMap()) {
    r.Issue(reports, "Reports must map a framework name to a list of ids (\"MITRE ATT&CK\": [TA0001:T1190])");
    return;
  }
  for (const auto& kv : reports) {
    std::vector<std::string> ids;
    if (!kv.second.IsSequence()) {
      r.Issue(kv.second, absl::StrCat("Reports entry ", kv.first.Scalar(), " must be a list"));
      continue;
    }
    for (const YAML::Node& id : kv.second) {
      if (id.IsScalar()) ids.push_back(id.Scalar());
    }
    info->reports.emplace_back(kv.first.Scalar(), std::move(ids));
  }
}

template <typename T, typename ValueParser>
void ParseVariants(FieldReader& r, DetectionParser& dp, const YAML::Node& node, const char* key,
                   const char* value_key, ValueParser parse_value, std::vector<ast::Variant<T>>* out) {
  if (!node.IsSequence()) {
    r.Issue(node, absl::StrCat(key, " must be a list of {", value_key, ", Conditions} entries"));
    return;
  }
  for (const YAML::Node& entry : node) {
    ast::Variant<T> v;
    if (!entry.IsMap() || !entry[value_key]) {
      r.Issue(entry, absl::StrCat(key, " entries need ", value_key));
      continue;
    }
    for (const auto& kv : entry) {
      const std::string k = kv.first.Scalar();
      if (k != value_key && k != "Conditions") r.Issue(kv.first, absl::StrCat("unknown key \"", k, "\" in ", key));
    }
    if (!parse_value(entry[value_key], &v.value)) continue;
    if (const YAML::Node conds = entry["Conditions"]) {
      if (!dp.ParseList(conds, absl::StrCat(key, " Conditions"), &v.conditions)) r.Fail();
      if (v.conditions.empty()) r.Issue(conds, absl::StrCat(key, " Conditions must not be empty"));
    }
    out->push_back(std::move(v));
  }
}

void ParseTemplateField(FieldReader& r, DetectionParser& dp, const YAML::Node& root, const char* key,
                        std::vector<ast::Variant<AlertTemplate>>* out) {
  const YAML::Node node = root[key];
  if (!node || node.IsNull()) return;
  auto parse_template = [&](const YAML::Node& n, AlertTemplate* t) {
    if (!n.IsScalar()) {
      r.Issue(n, absl::StrCat(key, " template must be a string"));
      return false;
    }
    auto parsed = ParseAlertTemplate(n.Scalar());
    if (!parsed.ok()) {
      r.Issue(n, absl::StrCat(key, ": ", parsed.status().message()));
      return false;
    }
    *t = *std::move(parsed);
    return true;
  };
  if (node.IsScalar()) {
    ast::Variant<AlertTemplate> v;
    if (parse_template(node, &v.value)) out->push_back(std::move(v));
    return;
  }
  ParseVariants<AlertTemplate>(r, dp, node, key, "Template", parse_template, out);
}

void ParseTests(FieldReader& r, const YAML::Node& root, const std::string& file, size_t max_json_bytes,
                RuleInfo* info) {
  const YAML::Node tests = root["Tests"];
  if (!tests || tests.IsNull()) return;
  if (!tests.IsSequence()) {
    r.Issue(tests, "Tests must be a list");
    return;
  }
  int index = 0;
  for (const YAML::Node& t : tests) {
    ++index;
    if (!t.IsMap()) {
      r.Issue(t, "a test must be a mapping with Name, ExpectedResult and Log");
      continue;
    }
    for (const auto& kv : t) {
      if (!Known(kTestKeys, kv.first.Scalar())) {
        r.Issue(kv.first, absl::StrCat("unknown key \"", kv.first.Scalar(), "\" in test"));
      }
    }
    RuleTest test;
    test.location = LocationOf(t, file);
    if (!r.String(t, "Name", &test.name)) {
      test.name = absl::StrCat("test #", index);
      r.Issue(t, absl::StrCat("test #", index, " has no Name"), RuleIssue::Severity::kWarning);
    }
    const YAML::Node expected = t["ExpectedResult"];
    const Literal lit = expected && expected.IsScalar() ? ScalarToLiteral(expected) : Literal();
    if (lit.kind != ValueKind::kBool) {
      r.Issue(expected ? expected : t, absl::StrCat("test \"", test.name, "\": ExpectedResult must be true or false"));
      continue;
    }
    test.expected_result = lit.b;
    const YAML::Node log = t["Log"];
    if (!log) {
      r.Issue(t, absl::StrCat("test \"", test.name, "\" has no Log"));
      continue;
    }
    if (log.IsScalar()) {
      test.log_json = log.Scalar();  // A JSON document given as a string.
    } else {
      if (!AppendYamlAsJson(log, test.log_json, max_json_bytes)) {
        r.Issue(log, absl::StrCat("test \"", test.name, "\": Log is larger than ", max_json_bytes,
                                  " bytes of JSON (max_event_bytes)"));
        continue;
      }
    }
    std::string s;
    if (r.String(t, "ExpectedTitle", &s)) test.expected_title = s;
    if (r.String(t, "ExpectedDedup", &s)) test.expected_dedup = s;
    if (r.String(t, "ExpectedSeverity", &s)) {
      test.expected_severity = ParseSeverity(s);
      if (!test.expected_severity) r.Issue(t["ExpectedSeverity"], absl::StrCat("unknown severity \"", s, "\""));
    }
    if (const YAML::Node ctx = t["ExpectedAlertContext"]) {
      std::string json;
      if (!AppendYamlAsJson(ctx, json, max_json_bytes)) {
        r.Issue(ctx, absl::StrCat("test \"", test.name, "\": ExpectedAlertContext is too large"));
        continue;
      }
      test.expected_alert_context_json = std::move(json);
    }
    info->tests.push_back(std::move(test));
  }
}

void ParseNamedFields(FieldReader& r, DetectionParser& dp, const YAML::Node& node, ast::Rule* rule) {
  if (!node.IsMap()) {
    r.Issue(node, "AlertFields must map names to {Join, Template, Filter, Separator, Default}");
    return;
  }
  for (const auto& kv : node) {
    ast::AlertField field;
    field.name = kv.first.Scalar();
    const YAML::Node& spec = kv.second;
    std::string join, element, separator;
    if (!spec.IsMap() || !r.String(spec, "Join", &join, true) || !r.String(spec, "Template", &element, true)) {
      r.Issue(spec, absl::StrCat("AlertFields ", field.name, " needs Join (a list path) and Template"));
      continue;
    }
    for (const auto& key : spec) {
      const std::string k = key.first.Scalar();
      if (k != "Join" && k != "Template" && k != "Filter" && k != "Separator" && k != "Default") {
        r.Issue(key.first, absl::StrCat("unknown key \"", k, "\" in AlertFields ", field.name));
      }
    }
    auto list = ParseKeyPath(join);
    auto tmpl = ParseAlertTemplate(element);
    if (!list.ok() || !tmpl.ok()) {
      r.Issue(spec, absl::StrCat("AlertFields ", field.name, ": ", (!list.ok() ? list.status() : tmpl.status()).message()));
      continue;
    }
    for (const TemplatePart& part : tmpl->parts) {
      if (!part.alert_field.empty()) r.Issue(spec["Template"], "AlertFields templates cannot use {@...} placeholders");
    }
    field.list = *std::move(list);
    field.element = *std::move(tmpl);
    if (r.String(spec, "Separator", &separator)) field.separator = separator;
    r.String(spec, "Default", &field.default_text);
    if (const YAML::Node filter = spec["Filter"]) {
      if (!dp.ParseList(filter, "AlertFields Filter", &field.filter)) r.Fail();
    }
    rule->alert_fields.push_back(std::move(field));
  }
}

// Points `{@name}` placeholders at their AlertFields entries.
void ResolveFieldRefs(FieldReader& r, const YAML::Node& root, ast::Rule* rule) {
  for (auto* variants : {&rule->titles, &rule->dedups}) {
    for (auto& variant : *variants) {
      for (TemplatePart& part : variant.value.parts) {
        if (part.alert_field.empty()) continue;
        for (size_t i = 0; i < rule->alert_fields.size(); ++i) {
          if (rule->alert_fields[i].name == part.alert_field) part.alert_field_index = static_cast<int>(i);
        }
        if (part.alert_field_index < 0) {
          r.Issue(root, absl::StrCat("template \"", variant.value.text, "\" uses {@", part.alert_field,
                                     "}, which AlertFields does not define"));
        }
      }
    }
  }
}

// ThresholdDistinctField (extension): a KeyPath string (`objectRef.name`) or a key spec mapping ({Key: ...},
// {KeyPath: ...}, {DeepKey: [...]}, {DataModel: ...}). The path must name one value: no [*].
void ParseThresholdDistinctField(FieldReader& r, DetectionParser& dp, const YAML::Node& root, ast::Rule* rule) {
  const YAML::Node n = root["ThresholdDistinctField"];
  if (!n || n.IsNull()) return;
  FieldPath p;
  if (n.IsScalar()) {
    auto parsed = ParseKeyPath(n.Scalar());
    if (!parsed.ok()) {
      r.Issue(n, absl::StrCat("ThresholdDistinctField: ", parsed.status().message()));
      return;
    }
    p = *std::move(parsed);
    if (p.text.empty()) p.text = n.Scalar();
  } else if (n.IsMap()) {
    if (!dp.ParseKeySpec(n, "ThresholdDistinctField", &p)) {
      r.Fail();
      return;
    }
  } else {
    r.Issue(n, "ThresholdDistinctField must be a field path (objectRef.name) or a mapping with Key, KeyPath, "
               "DeepKey or DataModel");
    return;
  }
  if (p.steps.empty()) {
    r.Issue(n, "ThresholdDistinctField must name a field of the event, not the whole event");
    return;
  }
  if (p.has_wildcard) {
    r.Issue(n, absl::StrCat("ThresholdDistinctField \"", p.text, "\" has [*]: it must name one value per event"));
    return;
  }
  rule->info.threshold_distinct_field = p.text;
  rule->distinct_path = std::move(p);
}

void ParseAlertFields(FieldReader& r, DetectionParser& dp, const YAML::Node& root, ast::Rule* rule) {
  if (const YAML::Node fields = root["AlertFields"]) ParseNamedFields(r, dp, fields, rule);
  ParseTemplateField(r, dp, root, "AlertTitle", &rule->titles);
  ParseTemplateField(r, dp, root, "AlertDedup", &rule->dedups);
  ResolveFieldRefs(r, root, rule);
  if (const YAML::Node group = root["GroupBy"]) {
    if (!group.IsSequence()) {
      r.Issue(group, "GroupBy must be a list of key specifiers");
    } else {
      for (const YAML::Node& g : group) {
        FieldPath p;
        if (dp.ParseKeySpec(g, "GroupBy entry", &p)) rule->group_by.push_back(std::move(p)); else r.Fail();
      }
    }
  }
  if (const YAML::Node sev = root["DynamicSeverities"]) {
    auto parse_severity = [&](const YAML::Node& n, Severity* out) {
      auto s = n.IsScalar() ? ParseSeverity(n.Scalar()) : std::nullopt;
      if (!s) r.Issue(n, "ChangeTo must be one of Info, Low, Medium, High, Critical");
      if (s) *out = *s;
      return s.has_value();
    };
    ParseVariants<Severity>(r, dp, sev, "DynamicSeverities", "ChangeTo", parse_severity,
                            &rule->dynamic_severities);
  }
  if (const YAML::Node ctx = root["AlertContext"]) {
    if (!ctx.IsSequence()) {
      r.Issue(ctx, "AlertContext must be a list of {KeyName, KeyValue}");
    } else {
      for (const YAML::Node& kv : ctx) {
        std::string name;
        FieldPath p;
        if (!kv.IsMap() || !r.String(kv, "KeyName", &name, true) || !kv["KeyValue"]) {
          r.Issue(kv, "AlertContext entries need KeyName and KeyValue");
          continue;
        }
        if (dp.ParseKeySpec(kv["KeyValue"], "KeyValue", &p)) {
          rule->alert_context.emplace_back(std::move(name), std::move(p));
        } else {
          r.Fail();
        }
      }
    }
  }
}

}  // namespace

void ParseDataModel(const ParsedFile& file, DataModels* models, std::vector<RuleIssue>* issues) {
  FieldReader r(file.name, issues);
  std::vector<std::string> log_types;
  r.StringList(file.root, "LogTypes", &log_types);
  const YAML::Node mappings = file.root["Mappings"];
  if (!mappings || !mappings.IsSequence()) {
    r.Issue(file.root, "a datamodel needs Mappings: a list of {Name, Path}");
    return;
  }
  DataModelMap map;
  for (const YAML::Node& m : mappings) {
    std::string name, path;
    if (!m.IsMap() || !r.String(m, "Name", &name, true)) continue;
    if (m["Method"]) {
      r.Issue(m, absl::StrCat("data model name ", name, " uses a Python Method, which is not supported; give a Path"));
      continue;
    }
    if (!r.String(m, "Path", &path, true)) continue;
    absl::string_view p = path;
    if (absl::StartsWith(p, "$.")) p.remove_prefix(2);
    auto parsed = ParseKeyPath(p);
    if (!parsed.ok()) {
      r.Issue(m["Path"], std::string(parsed.status().message()));
      continue;
    }
    map[name] = *std::move(parsed);
  }
  for (const std::string& lt : log_types) {
    for (auto& [name, path] : map) (*models)[lt].emplace(name, path);
  }
}

std::unique_ptr<ast::Rule> ParseRule(const ParsedFile& file, uint32_t file_index, const EngineOptions& options,
                                     const DataModels& models, std::vector<RuleIssue>* issues, bool* ok) {
  const YAML::Node& root = file.root;
  FieldReader r(file.name, issues);
  *ok = false;
  auto rule = std::make_unique<ast::Rule>();
  RuleInfo& info = rule->info;
  info.analysis_type = file.analysis_type;
  info.location = {file.name, 1, 1};
  for (const auto& kv : root) {
    const std::string key = kv.first.Scalar();
    if (Known(kTopLevelKeys, key)) continue;
    r.Issue(kv.first, absl::StrCat("unknown key \"", key, "\"", options.reject_unknown_keys ? "" : " (ignored)"),
            options.reject_unknown_keys ? RuleIssue::Severity::kError : RuleIssue::Severity::kWarning);
  }
  if (r.String(root, "RuleID", &info.id, true)) info.location = LocationOf(root["RuleID"], file.name);
  const bool has_detection = root["Detection"].IsDefined();
  if (root["Filename"]) {
    if (has_detection) {
      r.Issue(root["Filename"], "a rule has either Filename (Python) or Detection (YAML), not both");
    } else {
      r.Issue(root["Filename"], absl::StrCat("Python rule (Filename: ", root["Filename"].Scalar(),
                                             ") is not supported: express its logic with Detection"));
    }
    return nullptr;
  }
  if (!has_detection) {
    r.Issue(root, "rule has no Detection");
    return nullptr;
  }
  r.String(root, "DisplayName", &info.display_name);
  r.Bool(root, "Enabled", &info.enabled);
  r.StringList(root, "LogTypes", &info.log_types);
  std::string severity;
  if (r.String(root, "Severity", &severity, true)) {
    auto s = ParseSeverity(severity);
    if (!s) r.Issue(root["Severity"], absl::StrCat("unknown Severity \"", severity, "\"; expected Info, Low, Medium, High or Critical"));
    if (s) info.severity = *s;
  }
  r.String(root, "Description", &info.description);
  r.String(root, "Reference", &info.reference);
  r.String(root, "Runbook", &info.runbook);
  ParseReports(r, root, &info);
  r.StringList(root, "SummaryAttributes", &info.summary_attributes);
  r.StringList(root, "Tags", &info.tags);
  r.StringList(root, "OutputIds", &info.output_ids);
  r.Int(root, "DedupPeriodMinutes", 0, &info.dedup_period_minutes);
  r.Int(root, "Threshold", 1, &info.threshold);
  r.Bool(root, "CreateAlert", &info.create_alert);
  for (const std::string& attr : info.summary_attributes) {
    auto p = ParseSnowflakePath(attr);
    if (!p.ok()) {
      r.Issue(root["SummaryAttributes"], absl::StrCat("SummaryAttributes \"", attr, "\": ", p.status().message()));
    } else {
      rule->summary_paths.push_back(*std::move(p));
    }
  }

  DataModelMap data_model;
  for (const std::string& lt : info.log_types) {
    auto it = models.find(lt);
    if (it != models.end()) data_model.insert(it->second.begin(), it->second.end());
  }
  DetectionParser dp(file.name, file_index, options, issues, &data_model);
  if (!dp.ParseList(root["Detection"], "Detection", &rule->detection)) r.Fail();
  if (const YAML::Node filters = root["InlineFilters"]) {
    if (!dp.ParseList(filters, "InlineFilters", &rule->inline_filters)) r.Fail();
  }
  ParseAlertFields(r, dp, root, rule.get());
  ParseThresholdDistinctField(r, dp, root, rule.get());
  ParseTests(r, root, file.name, options.max_event_bytes == 0 ? (64u << 20) : options.max_event_bytes, &info);
  *ok = r.ok();
  return rule;
}

}  // namespace detect::engine_internal
