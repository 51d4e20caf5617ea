// Construction and lookup of the rule index.
#include "engine/internal/rule_index.h"

#include <algorithm>

namespace detect::engine_internal {
namespace {

bool IsIndexable(const Expr& e) {
  if (e.negate || e.ignore_case || e.multi_key || e.path.has_wildcard || e.path.empty()) return false;
  if (e.op != Op::kEquals && e.op != Op::kIsIn) return false;
  if (e.values.empty()) return false;
  for (const Literal& lit : e.values) {
    if (lit.kind != ValueKind::kString) return false;
  }
  return true;
}

// Best indexable conjunct among `exprs` (descending into All), preferring fewer values.
void FindConjunct(const std::vector<Expr>& exprs, const Expr** best) {
  for (const Expr& e : exprs) {
    if (e.op == Op::kAll) {
      FindConjunct(e.children, best);
    } else if (IsIndexable(e) && (*best == nullptr || e.values.size() < (*best)->values.size())) {
      *best = &e;
    }
  }
}

std::string PathKey(const FieldPath& p) {
  std::string key;
  for (const PathStep& s : p.steps) {
    key += s.kind == PathStep::kIndex ? "\x01" + std::to_string(s.index) : s.key;
    key += '\x1f';
  }
  return key;
}

}  // namespace

const Expr* RuleIndex::IndexConjunct(const CompiledRule& rule) {
  const Expr* best = nullptr;
  FindConjunct(rule.inline_filters, &best);
  FindConjunct(rule.detection, &best);
  return best;
}

void RuleIndex::AddRule(Bucket& bucket, uint32_t index, const CompiledRule& rule) {
  const Expr* conjunct = IndexConjunct(rule);
  if (conjunct == nullptr) {
    bucket.always.push_back(index);
    return;
  }
  const std::string key = PathKey(conjunct->path);
  KeyIndex* ki = nullptr;
  for (KeyIndex& k : bucket.keys) {
    if (PathKey(*k.path) == key) ki = &k;
  }
  if (ki == nullptr) {
    bucket.keys.push_back({&conjunct->path, {}});
    ki = &bucket.keys.back();
  }
  for (const Literal& lit : conjunct->values) {
    std::vector<uint32_t>& list = ki->by_value[lit.s];
    if (list.empty() || list.back() != index) list.push_back(index);
  }
}

std::unique_ptr<RuleIndex> RuleIndex::Build(const std::vector<std::unique_ptr<CompiledRule>>& rules) {
  auto index = std::unique_ptr<RuleIndex>(new RuleIndex());
  for (uint32_t i = 0; i < rules.size(); ++i) {
    for (const std::string& lt : rules[i]->info.log_types) index->by_log_type_.try_emplace(lt);
  }
  for (uint32_t i = 0; i < rules.size(); ++i) {
    const CompiledRule& rule = *rules[i];
    if (!rule.info.enabled) continue;
    if (rule.info.log_types.empty()) {
      AddRule(index->any_log_type_, i, rule);
      for (auto& [lt, bucket] : index->by_log_type_) AddRule(bucket, i, rule);
    } else {
      for (const std::string& lt : rule.info.log_types) AddRule(index->by_log_type_[lt], i, rule);
    }
  }
  return index;
}

void RuleIndex::Candidates(absl::string_view log_type, const EvalContext& ctx, std::vector<uint32_t>* out) const {
  auto it = by_log_type_.find(log_type);
  const Bucket& bucket = it == by_log_type_.end() ? any_log_type_ : it->second;
  out->assign(bucket.always.begin(), bucket.always.end());
  bool extra = false;
  for (const KeyIndex& k : bucket.keys) {
    const Value v = ResolveEventPath(*k.path, ctx);
    if (!v.is_string()) continue;
    auto found = k.by_value.find(v.string_value());
    if (found == k.by_value.end()) continue;
    out->insert(out->end(), found->second.begin(), found->second.end());
    extra = true;
  }
  if (extra) std::sort(out->begin(), out->end());
}

}  // namespace detect::engine_internal
