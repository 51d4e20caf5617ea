// Evaluation of events against a compiled RuleSet, and rendering of the alert fields of matches.
#include "engine/rule_set.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "common/json_escape.h"
#include "engine/internal/compiled_rule.h"
#include "engine/internal/json_element.h"
#include "engine/internal/rule_set_internals.h"
#include "engine/eval/evaluator.h"
#include "engine/eval/kubernetes_views.h"
#include "engine/internal/lookup_table.h"
#include "engine/eval/root_projection.h"
#include "engine/eval/rule_index.h"
#include "engine/internal/value_text.h"
#include "engine/internal/yaml_util.h"
#include "engine/json/rule_projection.h"

namespace detect {

using engine_internal::AlertTemplate;
using engine_internal::AlertVariant;
using engine_internal::CompiledRule;
using engine_internal::EvalContext;
using engine_internal::EvalState;

namespace {

constexpr absl::string_view kTruncatedSuffix = "... (truncated)";

void Cap(std::string& s, size_t max) {
  if (max == 0 || s.size() <= max) return;
  s.resize(max > kTruncatedSuffix.size() ? max - kTruncatedSuffix.size() : 0);
  s.append(kTruncatedSuffix.data(), kTruncatedSuffix.size());
}

bool AnyHolds(const std::vector<engine_internal::Expr>& conditions, const EvalContext& ctx) {
  if (conditions.empty()) return true;
  for (const auto& c : conditions) {
    if (engine_internal::EvalExpr(c, nullptr, ctx)) return true;
  }
  return false;
}

template <typename T>
const T* FirstVariant(const std::vector<AlertVariant<T>>& variants, const EvalContext& ctx) {
  for (const auto& v : variants) {
    if (AnyHolds(v.conditions, ctx)) return &v.value;
  }
  return nullptr;
}

void RenderMatch(const CompiledRule& rule, const EvalContext& ctx, const EngineOptions& options, Match& m) {
  const RuleInfo& info = rule.info;
  const Severity* sev = FirstVariant(rule.dynamic_severities, ctx);
  m.severity = sev ? *sev : info.severity;

  m.title.clear();
  if (const AlertTemplate* t = FirstVariant(rule.titles, ctx)) {
    engine_internal::RenderAlertTemplate(*t, ctx, m.title, &rule.alert_fields);
  }
  if (m.title.empty()) m.title = info.display_name.empty() ? info.id : info.display_name;
  Cap(m.title, options.max_generated_field_size);

  m.dedup.clear();
  if (const AlertTemplate* t = FirstVariant(rule.dedups, ctx)) {
    engine_internal::RenderAlertTemplate(*t, ctx, m.dedup, &rule.alert_fields);
  } else if (!rule.group_by.empty()) {
    for (size_t i = 0; i < rule.group_by.size(); ++i) {
      if (i > 0) m.dedup += ':';
      engine_internal::AppendPythonStr(engine_internal::ResolveEventPath(rule.group_by[i], ctx), m.dedup);
    }
  }
  if (m.dedup.empty()) m.dedup = m.title;
  Cap(m.dedup, options.max_generated_field_size);

  m.summary.resize(rule.summary_paths.size());
  for (size_t i = 0; i < rule.summary_paths.size(); ++i) {
    m.summary[i].name = info.summary_attributes[i];
    m.summary[i].json.clear();
    engine_internal::AppendJson(engine_internal::ResolveEventPath(rule.summary_paths[i], ctx), m.summary[i].json);
  }

  m.alert_context_json = "{";
  for (size_t i = 0; i < rule.alert_context.size(); ++i) {
    if (i > 0) m.alert_context_json += ',';
    AppendJsonString(rule.alert_context[i].first, &m.alert_context_json);
    m.alert_context_json += ':';
    engine_internal::AppendJson(engine_internal::ResolveEventPath(rule.alert_context[i].second, ctx),
                                m.alert_context_json);
  }
  m.alert_context_json += '}';

  m.distinct_value.clear();
  if (!rule.distinct_path.empty()) {
    const Value v = engine_internal::ResolveEventPath(rule.distinct_path, ctx);
    if (!v.is_missing() && !v.is_null()) engine_internal::AppendPythonStr(v, m.distinct_value);
    Cap(m.distinct_value, options.max_generated_field_size);
  }
}

}  // namespace

RuleSet::Rep::Rep(EngineOptions options_in, std::vector<std::unique_ptr<CompiledRule>> rules_in,
                  std::unique_ptr<engine_internal::LookupTableSet> tables_in,
                  std::vector<std::unique_ptr<engine_internal::FieldPath>> interned_prefixes_in,
                  std::string version_in)
    : options(std::move(options_in)),
      rules(std::move(rules_in)),
      tables(std::move(tables_in)),
      interned_prefixes(std::move(interned_prefixes_in)),
      index(engine_internal::RuleIndex::Build(rules, options)),
      projection(json_internal::ProjectionForRules(rules, options)),
      version(std::move(version_in)) {}

RuleSet::Rep::~Rep() = default;

Value RuleSet::Rep::RootFor(const Value& event, absl::string_view log_type, EvalState& scratch,
                            const Value& projected) const {
  const Value view =
      options.kubernetes_audit_views ? engine_internal::KubernetesAuditView(log_type, event, scratch) : event;
  if (!projected.is_missing()) {
    if (view.adapter() == event.adapter() && view.node_a() == event.node_a() && view.node_b() == event.node_b()) {
      return projected;
    }
    scratch.ForgetMemos();  // The view replaces the event: what projecting the event memoized is not its.
  }
  return root_keys != nullptr ? engine_internal::ProjectRoot(*root_keys, view, scratch) : view;
}

bool RuleSet::Rep::EvaluateOne(uint32_t index, const EvalContext& ctx, EvalResult& out) const {
  const CompiledRule& rule = *rules[index];
  if (!engine_internal::EvalAll(rule.inline_filters, nullptr, ctx) ||
      !engine_internal::EvalAll(rule.detection, nullptr, ctx)) {
    return false;
  }
  Match& m = out.matches.emplace_back();
  m.rule_index = index;
  m.rule = &rule.info;
  RenderMatch(rule, ctx, options, m);
  return true;
}

absl::string_view RuleSet::Rep::RuleLogType(size_t rule_index, const Value& event) const {
  const RuleInfo& info = rules[rule_index]->info;
  const Value lt = event.Get("p_log_type");
  return lt.is_string()             ? lt.string_value()
         : info.log_types.empty() ? absl::string_view(options.default_log_type)
                                  : absl::string_view(info.log_types[0]);
}

RuleSet::RuleSet(std::unique_ptr<const Rep> rep) : rep_(std::move(rep)) {}

RuleSet::~RuleSet() = default;

size_t RuleSet::size() const { return rep_->rules.size(); }

const RuleInfo& RuleSet::rule(size_t index) const { return rep_->rules[index]->info; }

const EngineOptions& RuleSet::options() const { return rep_->options; }

const std::string& RuleSet::version() const { return rep_->version; }

int RuleSet::FindRule(absl::string_view rule_id) const {
  for (size_t i = 0; i < rep_->rules.size(); ++i) {
    if (rep_->rules[i]->info.id == rule_id) return static_cast<int>(i);
  }
  return -1;
}

std::vector<std::string> RuleSet::lookup_table_names() const {
  std::vector<std::string> names;
  for (const auto& [name, table] : rep_->tables->tables) names.push_back(name);
  std::sort(names.begin(), names.end());
  return names;
}

void RuleSet::Evaluate(const Value& event, absl::string_view log_type, EvalScratch& scratch_in,
                       EvalResult& out) const {
  const Rep& rep = *rep_;
  EvalState& scratch = *scratch_in.state_;
  scratch.BeginEvent();
  Value projected;
  if (log_type.empty()) {
    // When rules read p_log_type, projecting the root reads it in the same pass (a DOM lookup scans the root).
    if (rep.root_keys != nullptr && IsJsonNode(event) && rep.root_keys->Find("p_log_type") >= 0) {
      projected = engine_internal::ProjectRoot(*rep.root_keys, event, scratch);
    }
    const Value lt = projected.is_missing() ? event.Get("p_log_type") : projected.Get("p_log_type");
    log_type = lt.is_string() ? lt.string_value() : absl::string_view(rep.options.default_log_type);
  }
  const EvalContext ctx{&rep.options, &scratch, rep.RootFor(event, log_type, scratch, projected), log_type,
                        &rep.tables->tables};
  std::vector<uint32_t>& candidates = scratch.candidates();
  rep.index->Candidates(log_type, ctx, &candidates);
  for (uint32_t index : candidates) rep.EvaluateOne(index, ctx, out);
}

absl::StatusOr<Value> RuleSet::ParseJson(absl::string_view json, JsonEventParser& parser, bool padded) const {
  return parser.ParseFor(*this, json, padded);
}

absl::Status RuleSet::EvaluateJson(absl::string_view json, absl::string_view log_type, JsonEventParser& parser,
                                   EvalScratch& scratch, EvalResult& out) const {
  absl::StatusOr<Value> event = ParseJson(json, parser);
  if (!event.ok()) return event.status();
  Evaluate(*event, log_type, scratch, out);
  return absl::OkStatus();
}

void RuleSet::EvaluateRule(size_t rule_index, const Value& event, EvalScratch& scratch_in,
                           EvalResult& out) const {
  const Rep& rep = *rep_;
  EvalState& scratch = *scratch_in.state_;
  scratch.BeginEvent();
  const absl::string_view log_type = rep.RuleLogType(rule_index, event);
  const EvalContext ctx{&rep.options, &scratch, rep.RootFor(event, log_type, scratch), log_type,
                        &rep.tables->tables};
  rep.EvaluateOne(static_cast<uint32_t>(rule_index), ctx, out);
}

std::shared_ptr<const RuleSet> RuleSetInternals::Make(std::unique_ptr<const Rep> rep) {
  return std::shared_ptr<const RuleSet>(new RuleSet(std::move(rep)));
}

const engine_internal::Expr* RuleSetInternals::IndexedBy(const RuleSet& rules, size_t index) {
  return rules.rep_->index->ChosenConjunct(static_cast<uint32_t>(index));
}

void RuleSetInternals::WithRuleContext(const RuleSet& rules, size_t rule_index, const Value& event,
                                       absl::string_view log_type, EvalScratch& scratch_in,
                                       absl::FunctionRef<void(const EvalContext&)> fn) {
  const Rep& rep = *rules.rep_;
  EvalState& scratch = *scratch_in.state_;
  scratch.BeginEvent();
  if (log_type.empty()) log_type = rep.RuleLogType(rule_index, event);
  const EvalContext ctx{&rep.options, &scratch, rep.RootFor(event, log_type, scratch), log_type,
                        &rep.tables->tables};
  fn(ctx);
}

}  // namespace detect
