// Rule explain: re-evaluates a rule's condition tree node by node with the evaluator's own functions, so each
// node's value is exactly what evaluation computed.
#include "engine/analysis/explain.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/json_escape.h"
#include "engine/analysis/rule_analysis.h"
#include "engine/internal/compiled_rule.h"
#include "engine/internal/render_condition.h"
#include "engine/internal/rule_set_internals.h"
#include "engine/eval/evaluator.h"
#include "engine/internal/value_text.h"
#include "engine/internal/yaml_util.h"

namespace detect {
namespace {

using engine_internal::EvalContext;
using engine_internal::Expr;
using engine_internal::Op;

constexpr size_t kMaxElements = 20;  // Comprehension elements explained one by one; the rest are summarized.

bool IsNegatedConjunct(const Expr& e) { return e.op == Op::kNone || (e.negate && !engine_internal::IsCombinator(e.op)); }

std::string Json(const Value& v) {
  std::string out;
  engine_internal::AppendJson(v, out);
  return out;
}

// `file`: the rule's file, which every node of the rule is in.
ExplainNode Explain(const Expr& e, const std::string& file, const Value* base, const EvalContext& ctx) {
  ExplainNode n;
  n.condition = e.condition_name;
  n.text = engine_internal::RenderCondition(e);
  n.location = {file, e.line, e.column};
  n.result = engine_internal::EvalExpr(e, base, ctx);
  if (engine_internal::IsCombinator(e.op)) {
    for (const Expr& c : e.children) n.children.push_back(Explain(c, file, base, ctx));
    return n;
  }
  if (e.op == Op::kAlwaysTrue || e.op == Op::kAlwaysFalse) return n;
  n.has_key = true;
  n.key = e.path.text;
  const Value value = engine_internal::ResolvePath(e.path, base, ctx);
  n.missing = value.is_missing();
  if (!n.missing) n.value_json = Json(value);
  if (e.multi_key) {
    n.other_key = e.other_path.text;
    const Value other = engine_internal::ResolvePath(e.other_path, base, ctx);
    n.other_value_json = other.is_missing() ? "" : Json(other);
  }
  if (engine_internal::IsComprehension(e.op) && value.is_list()) {
    size_t i = 0;
    value.ForEachElement([&](const Value& element) {
      if (i >= kMaxElements) return false;
      ExplainNode item;
      item.condition = "Element";
      item.text = absl::StrCat(e.path.text, "[", i, "]");
      item.location = {file, e.line, e.column};
      item.result = engine_internal::EvalAll(e.children, &element, ctx);
      for (const Expr& c : e.children) item.children.push_back(Explain(c, file, &element, ctx));
      n.children.push_back(std::move(item));
      ++i;
      return true;
    });
  }
  return n;
}

std::string ValueText(const ExplainNode& n) { return n.missing ? "missing" : n.value_json; }

// The deepest node that decided a false `n` (or a true one under a negation): the comparison to look at.
const ExplainNode* Decisive(const ExplainNode& n, bool want) {
  if (n.children.empty()) return &n;
  const bool negating = n.condition == "None" || n.condition.rfind("DoesNot", 0) == 0 ||
                        n.condition == "NoElement";
  for (const ExplainNode& c : n.children) {
    // All: a false child decides false; Any: a true child decides true; None: a true child decides false.
    const bool child_decides = negating ? c.result == !want : c.result == want;
    if (child_decides) return Decisive(c, c.result);
  }
  return &n;
}

std::string Describe(const ExplainNode& n) {
  std::string out = n.text;
  if (n.has_key && n.children.empty()) absl::StrAppend(&out, " (", n.key, " = ", ValueText(n), ")");
  return out;
}

std::string Reason(const Explanation& x) {
  if (!x.log_type_applies) {
    return absl::StrCat("LogTypes does not include ", x.log_type, ": detectd would not run the rule on this event");
  }
  for (const auto* part : {&x.filters, &x.detection}) {
    for (size_t i = 0; i < part->size(); ++i) {
      const ExplainNode& n = (*part)[i];
      if (n.result) continue;
      const char* where = part == &x.filters ? "InlineFilters" : "Detection";
      if (n.exclusion) {
        const ExplainNode* d = Decisive(n, false);
        return absl::StrCat("exclusion fired (", where, " #", i + 1, "): ", n.text,
                            d != &n ? absl::StrCat("; because ", Describe(*d)) : "");
      }
      const ExplainNode* d = Decisive(n, false);
      return absl::StrCat(where, " #", i + 1, " is false: ", Describe(*d));
    }
  }
  return x.enabled ? "every condition holds" : "every condition holds (the rule is disabled: detectd does not run it)";
}

void AppendNodeText(const ExplainNode& n, int depth, std::string& out) {
  std::string line = absl::StrCat(std::string(2 * depth + 2, ' '), n.result ? "true  " : "false ", n.text);
  if (n.has_key && (n.children.empty() || n.condition != "Element")) {
    absl::StrAppend(&line, "    [", n.key, " = ", ValueText(n));
    if (!n.other_key.empty()) {
      absl::StrAppend(&line, ", ", n.other_key, " = ", n.other_value_json.empty() ? "missing" : n.other_value_json);
    }
    line += "]";
  }
  if (n.exclusion) line += n.result ? "    (exclusion: did not fire)" : "    (exclusion: FIRED)";
  absl::StrAppend(&out, line, "\n");
  for (const ExplainNode& c : n.children) AppendNodeText(c, depth + 1, out);
}

void AppendNodeJson(const ExplainNode& n, std::string& out) {
  out += "{\"condition\":";
  AppendJsonString(n.condition, &out);
  out += ",\"text\":";
  AppendJsonString(n.text, &out);
  absl::StrAppend(&out, ",\"result\":", n.result ? "true" : "false", ",\"location\":");
  AppendJsonString(n.location.ToString(), &out);
  if (n.has_key) {
    out += ",\"key\":";
    AppendJsonString(n.key, &out);
    absl::StrAppend(&out, ",\"value\":", n.missing ? "null" : n.value_json, ",\"missing\":",
                    n.missing ? "true" : "false");
    if (!n.other_key.empty()) {
      out += ",\"other_key\":";
      AppendJsonString(n.other_key, &out);
      absl::StrAppend(&out, ",\"other_value\":", n.other_value_json.empty() ? "null" : n.other_value_json);
    }
  }
  absl::StrAppend(&out, ",\"exclusion\":", n.exclusion ? "true" : "false", ",\"children\":[");
  for (size_t i = 0; i < n.children.size(); ++i) {
    if (i > 0) out += ",";
    AppendNodeJson(n.children[i], out);
  }
  out += "]}";
}

void AppendNodesJson(const std::vector<ExplainNode>& nodes, std::string& out) {
  out += "[";
  for (size_t i = 0; i < nodes.size(); ++i) {
    if (i > 0) out += ",";
    AppendNodeJson(nodes[i], out);
  }
  out += "]";
}

}  // namespace

Explanation ExplainRule(const RuleSet& rules, size_t rule_index, const Value& event, absl::string_view log_type) {
  const engine_internal::CompiledRule& rule = RuleSetInternals::compiled_rule(rules, rule_index);
  Explanation x;
  x.rule_id = rule.info.id;
  x.enabled = rule.info.enabled;
  EvalScratch scratch;
  RuleSetInternals::WithRuleContext(rules, rule_index, event, log_type, scratch, [&](const EvalContext& ctx) {
    x.log_type = std::string(ctx.log_type);
    for (const Expr& e : rule.inline_filters) {
      x.filters.push_back(Explain(e, rule.info.location.file, nullptr, ctx));
      x.filters.back().exclusion = IsNegatedConjunct(e);
    }
    for (const Expr& e : rule.detection) {
      x.detection.push_back(Explain(e, rule.info.location.file, nullptr, ctx));
      x.detection.back().exclusion = IsNegatedConjunct(e);
    }
  });
  const auto& types = rule.info.log_types;
  x.log_type_applies = types.empty() || std::find(types.begin(), types.end(), x.log_type) != types.end();
  EvalResult result;
  EvalScratch match_scratch;
  // EvaluateRule picks the log type itself; it agrees with WithRuleContext when none was given.
  rules.EvaluateRule(rule_index, event, match_scratch, result);
  x.matched = !result.matches.empty();
  if (x.matched) {
    x.title = result.matches[0].title;
    x.dedup = result.matches[0].dedup;
    x.severity = std::string(SeverityName(result.matches[0].severity));
  }
  x.reason = Reason(x);
  return x;
}

std::string FormatExplanationText(const Explanation& x) {
  std::string out = absl::StrCat(x.rule_id, ": ", x.matched ? "MATCH" : "no match", " (log type ", x.log_type,
                                 x.log_type_applies ? "" : ", not in the rule's LogTypes",
                                 x.enabled ? "" : ", rule disabled", ")\n");
  if (!x.filters.empty()) {
    out += "InlineFilters (all must hold)\n";
    for (const ExplainNode& n : x.filters) AppendNodeText(n, 0, out);
  }
  out += "Detection (all must hold)\n";
  for (const ExplainNode& n : x.detection) AppendNodeText(n, 0, out);
  absl::StrAppend(&out, "Result: ", x.matched ? "match" : "no match", ": ", x.reason, "\n");
  if (x.matched) {
    absl::StrAppend(&out, "Alert: severity ", x.severity, ", title \"", x.title, "\", dedup \"", x.dedup, "\"\n");
  }
  return out;
}

std::string FormatExplanationJson(const Explanation& x) {
  std::string out = "{\"rule_id\":";
  AppendJsonString(x.rule_id, &out);
  out += ",\"log_type\":";
  AppendJsonString(x.log_type, &out);
  absl::StrAppend(&out, ",\"enabled\":", x.enabled ? "true" : "false", ",\"log_type_applies\":",
                  x.log_type_applies ? "true" : "false", ",\"matched\":", x.matched ? "true" : "false",
                  ",\"reason\":");
  AppendJsonString(x.reason, &out);
  out += ",\"alert\":";
  if (x.matched) {
    out += "{\"severity\":";
    AppendJsonString(x.severity, &out);
    out += ",\"title\":";
    AppendJsonString(x.title, &out);
    out += ",\"dedup\":";
    AppendJsonString(x.dedup, &out);
    out += "}";
  } else {
    out += "null";
  }
  out += ",\"filters\":";
  AppendNodesJson(x.filters, out);
  out += ",\"detection\":";
  AppendNodesJson(x.detection, out);
  out += "}\n";
  return out;
}

}  // namespace detect
