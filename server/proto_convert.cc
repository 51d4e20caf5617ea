// Conversions from engine types to detect.v1 messages.
#include "server/proto_convert.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "simdjson.h"

namespace detect::server {
namespace {

using simdjson::dom::element;
using simdjson::dom::element_type;

constexpr absl::string_view kMitreReportKey = "MITRE ATT&CK";

void ElementToValue(element e, google::protobuf::Value* out) {
  switch (e.type()) {
    case element_type::OBJECT: {
      auto* fields = out->mutable_struct_value()->mutable_fields();
      // Copy the object out of its simdjson_result: a range-for over value_unsafe() of the temporary would
      // iterate a destroyed object.
      const simdjson::dom::object object = e.get_object().value_unsafe();
      for (auto field : object) {
        ElementToValue(field.value, &(*fields)[std::string(field.key)]);
      }
      return;
    }
    case element_type::ARRAY: {
      auto* list = out->mutable_list_value();
      const simdjson::dom::array array = e.get_array().value_unsafe();
      for (element item : array) ElementToValue(item, list->add_values());
      return;
    }
    case element_type::STRING: out->set_string_value(std::string(e.get_string().value_unsafe())); return;
    case element_type::INT64: out->set_number_value(static_cast<double>(e.get_int64().value_unsafe())); return;
    case element_type::UINT64: out->set_number_value(static_cast<double>(e.get_uint64().value_unsafe())); return;
    case element_type::DOUBLE: out->set_number_value(e.get_double().value_unsafe()); return;
    case element_type::BOOL: out->set_bool_value(e.get_bool().value_unsafe()); return;
    case element_type::NULL_VALUE: out->set_null_value(google::protobuf::NULL_VALUE); return;
  }
}

absl::StatusOr<element> ParseJson(absl::string_view json) {
  thread_local simdjson::dom::parser parser;
  element root;
  if (auto error = parser.parse(json.data(), json.size()).get(root); error) {
    return absl::InvalidArgumentError(absl::StrCat("invalid JSON: ", simdjson::error_message(error)));
  }
  return root;
}

void AddMitre(const RuleInfo& rule, google::protobuf::RepeatedPtrField<v1::MitreAttack>* out) {
  for (const auto& [key, values] : rule.reports) {
    if (key != kMitreReportKey) continue;
    for (const std::string& v : values) {
      std::pair<std::string, std::string> parts = absl::StrSplit(v, absl::MaxSplits(':', 1));
      v1::MitreAttack* m = out->Add();
      m->set_tactic(parts.first);
      m->set_technique(parts.second);
    }
  }
}

}  // namespace

v1::Severity ToProtoSeverity(Severity severity) {
  switch (severity) {
    case Severity::kInfo: return v1::SEVERITY_INFO;
    case Severity::kLow: return v1::SEVERITY_LOW;
    case Severity::kMedium: return v1::SEVERITY_MEDIUM;
    case Severity::kHigh: return v1::SEVERITY_HIGH;
    case Severity::kCritical: return v1::SEVERITY_CRITICAL;
  }
  return v1::SEVERITY_UNSPECIFIED;
}

absl::Status JsonToProtoValue(absl::string_view json, google::protobuf::Value* out) {
  absl::StatusOr<element> root = ParseJson(json);
  if (!root.ok()) return root.status();
  out->Clear();
  ElementToValue(*root, out);
  return absl::OkStatus();
}

absl::Status JsonToStruct(absl::string_view json, google::protobuf::Struct* out) {
  absl::StatusOr<element> root = ParseJson(json);
  if (!root.ok()) return root.status();
  if (root->type() != element_type::OBJECT) return absl::InvalidArgumentError("JSON is not an object");
  out->Clear();
  const simdjson::dom::object object = root->get_object().value_unsafe();
  for (auto field : object) {
    ElementToValue(field.value, &(*out->mutable_fields())[std::string(field.key)]);
  }
  return absl::OkStatus();
}

void FillMatch(const Match& match, bool with_metadata, v1::Match* out) {
  const RuleInfo& rule = *match.rule;
  out->set_rule_id(rule.id);
  out->set_severity(ToProtoSeverity(match.severity));
  out->set_title(match.title);
  out->set_dedup(match.dedup);
  for (const SummaryValue& s : match.summary) {
    v1::SummaryAttribute* a = out->add_summary_attributes();
    a->set_name(s.name);
    // The engine renders valid JSON; should it ever not, keep the text rather than lose the value.
    if (!JsonToProtoValue(s.json, a->mutable_value()).ok()) a->mutable_value()->set_string_value(s.json);
  }
  if (!match.alert_context_json.empty() && match.alert_context_json != "{}") {
    (void)JsonToStruct(match.alert_context_json, out->mutable_alert_context());
  }
  if (!match.distinct_value.empty()) out->set_distinct_value(match.distinct_value);
  if (!with_metadata) return;
  out->set_threshold_distinct_field(rule.threshold_distinct_field);
  out->set_display_name(rule.display_name);
  out->set_dedup_period_minutes(rule.dedup_period_minutes);
  out->set_threshold(rule.threshold);
  for (const std::string& id : rule.output_ids) out->add_output_ids(id);
  AddMitre(rule, out->mutable_mitre_attack());
  for (const std::string& tag : rule.tags) out->add_tags(tag);
  out->set_runbook(rule.runbook);
  out->set_reference(rule.reference);
  out->set_description(rule.description);
  out->set_rule_severity(ToProtoSeverity(rule.severity));
  out->set_create_alert(rule.create_alert);
}

void FillRuleMetadata(const RuleInfo& rule, v1::RuleMetadata* out) {
  out->set_rule_id(rule.id);
  out->set_display_name(rule.display_name);
  out->set_enabled(rule.enabled);
  out->set_analysis_type(rule.analysis_type);
  for (const std::string& t : rule.log_types) out->add_log_types(t);
  out->set_severity(ToProtoSeverity(rule.severity));
  out->set_description(rule.description);
  for (const auto& [key, values] : rule.reports) {
    v1::Report* r = out->add_reports();
    r->set_key(key);
    for (const std::string& v : values) r->add_values(v);
  }
  AddMitre(rule, out->mutable_mitre_attack());
  out->set_reference(rule.reference);
  out->set_runbook(rule.runbook);
  for (const std::string& s : rule.summary_attributes) out->add_summary_attributes(s);
  for (const std::string& t : rule.tags) out->add_tags(t);
  for (const std::string& o : rule.output_ids) out->add_output_ids(o);
  out->set_dedup_period_minutes(rule.dedup_period_minutes);
  out->set_threshold(rule.threshold);
  out->set_threshold_distinct_field(rule.threshold_distinct_field);
  out->set_create_alert(rule.create_alert);
  out->set_source(rule.location.line > 0 ? absl::StrCat(rule.location.file, ":", rule.location.line)
                                         : rule.location.file);
  out->set_test_count(static_cast<int>(rule.tests.size()));
}

}  // namespace detect::server
