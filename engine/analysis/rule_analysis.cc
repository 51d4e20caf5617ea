// Analysis of compiled rules: condition text, exclusions, indicators, outputs, MITRE names.
#include "engine/analysis/rule_analysis.h"

#include <algorithm>
#include <map>
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "common/json_escape.h"
#include "engine/analysis/mitre_attack.h"
#include "engine/internal/compiled_rule.h"
#include "engine/internal/render_condition.h"
#include "engine/internal/rule_set_internals.h"
#include "engine/internal/value_text.h"
#include "engine/internal/yaml_util.h"

namespace detect {
namespace {

using engine_internal::CompiledRule;
using engine_internal::Expr;
using engine_internal::Op;

const char* KindName(Op op) {
  switch (op) {
    case Op::kEquals: return "eq";
    case Op::kStartsWith: return "starts_with";
    case Op::kEndsWith: return "ends_with";
    case Op::kContains: return "contains";
    case Op::kIsIn: return "in";
    case Op::kGreaterThan: return "gt";
    case Op::kGreaterThanOrEquals: return "gte";
    case Op::kLessThan: return "lt";
    case Op::kLessThanOrEquals: return "lte";
    case Op::kExists: return "exists";
    case Op::kIsNull: return "is_null";
    case Op::kIsNullOrEmpty: return "is_empty";
    case Op::kIsIPAddress: return "is_ip";
    case Op::kIsIPAddressPrivate: return "ip_private";
    case Op::kIsIPAddressPublic: return "ip_public";
    case Op::kIsIPAddressInCIDR: return "in_cidr";
    case Op::kMatches: return "regex";
    case Op::kIntersects: return "intersects";
    case Op::kAnyElement: return "any_element";
    case Op::kAllElements: return "all_elements";
    case Op::kNoElement: return "no_element";
    case Op::kOnlyOneElement: return "only_one_element";
    default: return "?";
  }
}

bool IsSimple(const Expr& e) { return !engine_internal::IsCombinator(e.op) && e.op != Op::kAlwaysTrue && e.op != Op::kAlwaysFalse; }

std::string Kind(const Expr& e, bool negated) {
  return absl::StrCat(negated ? "not " : "", e.ignore_case ? "i" : "", KindName(e.op));
}

std::vector<std::string> ValueTexts(const Expr& e) {
  std::vector<std::string> out;
  if (e.multi_key) {
    out.push_back(absl::StrCat("field ", e.other_path.text));
    return out;
  }
  for (const auto& lit : e.values) {
    std::string text;
    engine_internal::AppendJson(lit.AsValue(), text);
    out.push_back(std::move(text));
  }
  return out;
}

std::string Render(const Expr& e);

std::string RenderList(const std::vector<Expr>& exprs, absl::string_view sep) {
  std::vector<std::string> parts;
  for (const Expr& c : exprs) parts.push_back(Render(c));
  return absl::StrJoin(parts, sep);
}

std::string Render(const Expr& e) {
  switch (e.op) {
    case Op::kAll: return absl::StrCat("(", RenderList(e.children, " and "), ")");
    case Op::kAny: return absl::StrCat("(", RenderList(e.children, " or "), ")");
    case Op::kOnlyOne: return absl::StrCat("only_one(", RenderList(e.children, ", "), ")");
    case Op::kNone:
      if (e.children.size() == 1 && (e.children[0].op == Op::kAll || e.children[0].op == Op::kAny)) {
        return absl::StrCat("not ", Render(e.children[0]));
      }
      return absl::StrCat("not (", RenderList(e.children, " or "), ")");
    case Op::kAlwaysTrue: return "true";
    case Op::kAlwaysFalse: return "false";
    case Op::kAnyElement:
    case Op::kAllElements:
    case Op::kNoElement:
    case Op::kOnlyOneElement:
      return absl::StrCat(KindName(e.op), "(", e.path.text, ": ", RenderList(e.children, " and "), ")");
    default: break;
  }
  std::vector<std::string> values = ValueTexts(e);
  std::string text = absl::StrCat(e.path.text, " ", Kind(e, e.negate));
  if (values.size() == 1 && e.op != Op::kIsIn && e.op != Op::kIntersects) {
    absl::StrAppend(&text, " ", values[0]);
  } else if (!values.empty()) {
    absl::StrAppend(&text, " [", absl::StrJoin(values, ", "), "]");
  }
  return text;
}

Predicate MakePredicate(const Expr& e, bool negated) { return {e.path.text, Kind(e, negated), ValueTexts(e), 0}; }

// Predicates of a conjunction: the simple conditions of `e` and of Alls/Anys inside it.
void Flatten(const Expr& e, bool negated, std::vector<Predicate>* out) {
  if (e.op == Op::kAll || e.op == Op::kAny) {
    for (const Expr& c : e.children) Flatten(c, negated, out);
  } else if (IsSimple(e)) {
    out->push_back(MakePredicate(e, negated != e.negate));
  }
}

void CollectTopLevel(const std::vector<Expr>& exprs, std::vector<Exclusion>* exclusions, std::vector<Predicate>* indicators) {
  for (const Expr& e : exprs) {
    if (e.op == Op::kAll) {
      CollectTopLevel(e.children, exclusions, indicators);
    } else if (e.op == Op::kNone) {
      for (const Expr& c : e.children) {
        Exclusion x{Render(c), {}};
        Flatten(c, false, &x.predicates);
        exclusions->push_back(std::move(x));
      }
    } else if (IsSimple(e) && e.negate) {
      Expr positive = e;
      positive.negate = false;
      exclusions->push_back({Render(positive), {MakePredicate(e, false)}});
    } else if (IsSimple(e)) {
      indicators->push_back(MakePredicate(e, false));
    }
  }
}

std::vector<Predicate> Indicators(const CompiledRule& rule) {
  std::vector<Exclusion> unused;
  std::vector<Predicate> indicators;
  CollectTopLevel(rule.inline_filters, &unused, &indicators);
  CollectTopLevel(rule.detection, &unused, &indicators);
  return indicators;
}

std::string Key(const Predicate& p) { return absl::StrCat(p.field, "\x1f", p.kind, "\x1f", absl::StrJoin(p.values, "\x1f")); }

void AddOutput(const std::string& field, std::vector<std::string>* out) {
  if (!field.empty() && std::find(out->begin(), out->end(), field) == out->end()) out->push_back(field);
}

std::string Cell(absl::string_view s) { return absl::StrReplaceAll(s, {{"|", "\\|"}}); }

void AppendJsonStrings(const std::vector<std::string>& items, std::string& out) {
  out += '[';
  for (size_t i = 0; i < items.size(); ++i) {
    if (i > 0) out += ',';
    AppendJsonString(items[i], &out);
  }
  out += ']';
}

void AppendPredicatesJson(const std::vector<Predicate>& preds, bool with_count, std::string& out) {
  out += '[';
  for (size_t i = 0; i < preds.size(); ++i) {
    if (i > 0) out += ',';
    out += "{\"field\":";
    AppendJsonString(preds[i].field, &out);
    out += ",\"kind\":";
    AppendJsonString(preds[i].kind, &out);
    out += ",\"values\":";
    AppendJsonStrings(preds[i].values, out);
    if (with_count) absl::StrAppend(&out, ",\"other_rules\":", preds[i].other_rules);
    out += '}';
  }
  out += ']';
}

}  // namespace

std::string engine_internal::RenderCondition(const Expr& expr) { return Render(expr); }

std::vector<MitreMapping> ParseMitreReports(const RuleInfo& rule) {
  std::vector<MitreMapping> out;
  for (const auto& [framework, ids] : rule.reports) {
    if (framework != "MITRE ATT&CK") continue;
    for (const std::string& id : ids) {
      std::vector<std::string> parts = absl::StrSplit(id, ':');
      MitreMapping m;
      m.tactic_id = parts[0];
      m.tactic_name = std::string(MitreTacticName(m.tactic_id));
      if (parts.size() > 1) {
        m.technique_id = parts[1];
        m.technique_name = std::string(MitreTechniqueName(m.technique_id));
      }
      out.push_back(std::move(m));
    }
  }
  return out;
}

RuleAnalysis AnalyzeRule(const RuleSet& rules, size_t index) {
  const CompiledRule& rule = RuleSetInternals::compiled_rule(rules, index);
  RuleAnalysis a;
  a.rule = &rule.info;
  for (const auto& v : rule.dynamic_severities) {
    std::vector<std::string> when;
    for (const Expr& c : v.conditions) when.push_back(Render(c));
    a.dynamic_severities.push_back(absl::StrCat(SeverityName(v.value), " when ", absl::StrJoin(when, " or ")));
  }
  a.mitre = ParseMitreReports(rule.info);
  for (const Expr& e : rule.inline_filters) a.condition.push_back(absl::StrCat("filter: ", Render(e)));
  for (const Expr& e : rule.detection) a.condition.push_back(Render(e));
  CollectTopLevel(rule.inline_filters, &a.exclusions, &a.indicators);
  CollectTopLevel(rule.detection, &a.exclusions, &a.indicators);
  if (const Expr* indexed = RuleSetInternals::IndexedBy(rules, index)) a.indexed_by = Render(*indexed);
  // How many other rules of the set share each indicator.
  std::map<std::string, int> uses;
  for (size_t i = 0; i < rules.size(); ++i) {
    if (i == index) continue;
    std::set<std::string> seen;
    for (const Predicate& p : Indicators(RuleSetInternals::compiled_rule(rules, i))) {
      if (seen.insert(Key(p)).second) ++uses[Key(p)];
    }
  }
  for (Predicate& p : a.indicators) p.other_rules = uses[Key(p)];
  for (const std::string& s : rule.info.summary_attributes) AddOutput(s, &a.output_fields);
  for (const auto* variants : {&rule.titles, &rule.dedups}) {
    for (const auto& v : *variants) {
      for (const auto* path : v.value.Fields()) AddOutput(path->text, &a.output_fields);
      for (const auto& part : v.value.parts) {
        if (part.alert_field_index >= 0) AddOutput(rule.alert_fields[part.alert_field_index].list.text, &a.output_fields);
      }
    }
  }
  for (const auto& g : rule.group_by) AddOutput(g.text, &a.output_fields);
  for (const auto& [name, path] : rule.alert_context) AddOutput(path.text, &a.output_fields);
  if (!rule.distinct_path.empty()) AddOutput(rule.distinct_path.text, &a.output_fields);
  return a;
}

std::string FormatRuleAnalysisText(const RuleAnalysis& a) {
  const RuleInfo& r = *a.rule;
  std::string out = absl::StrCat(r.id, ": ", r.display_name.empty() ? r.id : r.display_name, "\n");
  std::string dynamic;
  for (const std::string& d : a.dynamic_severities) absl::StrAppend(&dynamic, "; ", d);
  absl::StrAppend(&out, "Severity ", SeverityName(r.severity), dynamic, "\nLog types ", absl::StrJoin(r.log_types, ", "),
                  ", dedup period ", r.dedup_period_minutes, " min, threshold ", r.threshold,
                  r.enabled ? "" : ", disabled", "\n");
  if (!r.description.empty()) absl::StrAppend(&out, r.description, r.description.back() == '\n' ? "" : "\n");
  // A section with no rows says so instead of printing an empty Markdown table.
  if (a.mitre.empty()) {
    out += "\nMITRE ATT&CK coverage: none (the rule has no Reports[\"MITRE ATT&CK\"])\n";
  } else {
    out += "\nMITRE ATT&CK coverage\n| Tactic | Techniques |\n|---|---|\n";
  }
  for (const MitreMapping& m : a.mitre) {
    absl::StrAppend(&out, "| ", m.tactic_id, " ", m.tactic_name.empty() ? "(unknown tactic)" : m.tactic_name, " | ",
                    m.technique_id, m.technique_id.empty() ? "" : " ",
                    m.technique_id.empty() ? "" : (m.technique_name.empty() ? "(unknown technique)" : m.technique_name),
                    " |\n");
  }
  absl::StrAppend(&out, "\nIndexed by: ",
                  a.indexed_by.empty() ? "nothing (evaluated for every event of its log types)" : a.indexed_by, "\n");
  out += "\nCondition (every line must hold)\n";
  for (const std::string& c : a.condition) absl::StrAppend(&out, "  ", c, "\n");
  bool exclusion_rows = false;
  for (const Exclusion& e : a.exclusions) exclusion_rows = exclusion_rows || !e.predicates.empty();
  if (a.exclusions.empty()) {
    out += "\nExclusions: none\n";
  } else {
    out += "\nExclusions (top-level negated conjuncts)\n";
    if (exclusion_rows) out += "| # | Field | Kind | Excluded values |\n|---|---|---|---|\n";
  }
  for (size_t i = 0; i < a.exclusions.size(); ++i) {
    for (const Predicate& p : a.exclusions[i].predicates) {
      absl::StrAppend(&out, "| ", i + 1, " | ", Cell(p.field), " | ", p.kind, " | ", Cell(absl::StrJoin(p.values, ", ")), " |\n");
    }
  }
  for (size_t i = 0; i < a.exclusions.size(); ++i) absl::StrAppend(&out, "  ", i + 1, ": not ", a.exclusions[i].expression, "\n");
  if (a.indicators.empty()) {
    out += "\nIndicators: none\n";
  } else {
    out += "\nIndicators (top-level conditions)\n| Field | Kind | Values | Other rules |\n|---|---|---|---|\n";
  }
  for (const Predicate& p : a.indicators) {
    absl::StrAppend(&out, "| ", Cell(p.field), " | ", p.kind, " | ", Cell(absl::StrJoin(p.values, ", ")), " | ",
                    p.other_rules, " |\n");
  }
  out += a.output_fields.empty() ? "\nOutput fields: none\n" : "\nOutput fields\n| Field |\n|---|\n";
  for (const std::string& f : a.output_fields) absl::StrAppend(&out, "| ", Cell(f), " |\n");
  return out;
}

std::string FormatRuleAnalysisJson(const RuleAnalysis& a) {
  std::string out = "{\"rule_id\":";
  AppendJsonString(a.rule->id, &out);
  out += ",\"display_name\":";
  AppendJsonString(a.rule->display_name, &out);
  out += ",\"severity\":";
  AppendJsonString(SeverityName(a.rule->severity), &out);
  out += ",\"mitre\":[";
  for (size_t i = 0; i < a.mitre.size(); ++i) {
    const MitreMapping& m = a.mitre[i];
    if (i > 0) out += ',';
    out += "{\"tactic_id\":";
    AppendJsonString(m.tactic_id, &out);
    out += ",\"tactic\":";
    AppendJsonString(m.tactic_name, &out);
    out += ",\"technique_id\":";
    AppendJsonString(m.technique_id, &out);
    out += ",\"technique\":";
    AppendJsonString(m.technique_name, &out);
    out += '}';
  }
  out += "],\"condition\":";
  AppendJsonStrings(a.condition, out);
  out += ",\"exclusions\":[";
  for (size_t i = 0; i < a.exclusions.size(); ++i) {
    if (i > 0) out += ',';
    out += "{\"expression\":";
    AppendJsonString(a.exclusions[i].expression, &out);
    out += ",\"predicates\":";
    AppendPredicatesJson(a.exclusions[i].predicates, false, out);
    out += '}';
  }
  out += "],\"indicators\":";
  AppendPredicatesJson(a.indicators, true, out);
  out += ",\"indexed_by\":";
  AppendJsonString(a.indexed_by, &out);
  out += ",\"output_fields\":";
  AppendJsonStrings(a.output_fields, out);
  out += "}\n";
  return out;
}

namespace {

// tactic id -> technique id -> rule ids, in id order.
std::map<std::string, std::map<std::string, std::vector<std::string>>> Matrix(const RuleSet& rules) {
  std::map<std::string, std::map<std::string, std::vector<std::string>>> matrix;
  for (size_t i = 0; i < rules.size(); ++i) {
    for (const MitreMapping& m : ParseMitreReports(rules.rule(i))) matrix[m.tactic_id][m.technique_id].push_back(rules.rule(i).id);
  }
  return matrix;
}

}  // namespace

std::string FormatCoverageText(const RuleSet& rules) {
  std::string out = "| Tactic | Technique | Rules |\n|---|---|---|\n";
  size_t covered = 0;
  for (const auto& [tactic, techniques] : Matrix(rules)) {
    for (const auto& [technique, ids] : techniques) {
      ++covered;
      const absl::string_view tactic_name = MitreTacticName(tactic);
      const absl::string_view technique_name = MitreTechniqueName(technique);
      absl::StrAppend(&out, "| ", tactic, " ", tactic_name.empty() ? "(unknown tactic)" : tactic_name, " | ",
                      technique.empty() ? "(tactic only)" : technique,
                      technique.empty() ? "" : (technique_name.empty() ? " (unknown technique)" : absl::StrCat(" ", technique_name)),
                      " | ", absl::StrJoin(ids, ", "), " |\n");
    }
  }
  size_t unmapped = 0;
  for (size_t i = 0; i < rules.size(); ++i) unmapped += ParseMitreReports(rules.rule(i)).empty() ? 1 : 0;
  absl::StrAppend(&out, "\n", rules.size(), rules.size() == 1 ? " rule, " : " rules, ", covered,
                  covered == 1 ? " tactic/technique pair" : " tactic/technique pairs", " covered, ", unmapped,
                  unmapped == 1 ? " rule" : " rules", " without a MITRE ATT&CK mapping\n");
  return out;
}

std::string FormatCoverageJson(const RuleSet& rules) {
  std::string out = "{\"tactics\":[";
  bool first_tactic = true;
  for (const auto& [tactic, techniques] : Matrix(rules)) {
    if (!first_tactic) out += ',';
    first_tactic = false;
    out += "{\"id\":";
    AppendJsonString(tactic, &out);
    out += ",\"name\":";
    AppendJsonString(MitreTacticName(tactic), &out);
    out += ",\"techniques\":[";
    bool first = true;
    for (const auto& [technique, ids] : techniques) {
      if (!first) out += ',';
      first = false;
      out += "{\"id\":";
      AppendJsonString(technique, &out);
      out += ",\"name\":";
      AppendJsonString(MitreTechniqueName(technique), &out);
      out += ",\"rules\":";
      AppendJsonStrings(ids, out);
      out += '}';
    }
    out += "]}";
  }
  absl::StrAppend(&out, "],\"rules\":", rules.size(), "}\n");
  return out;
}

}  // namespace detect
