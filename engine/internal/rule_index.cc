// Construction and lookup of the rule index.
#include "engine/internal/rule_index.h"

#include <algorithm>
#include <limits>

#include "absl/strings/str_cat.h"

namespace detect::engine_internal {
namespace {

enum class IndexKind { kExact, kPrefix, kRegex };

bool PlainPath(const Expr& e) {
  return !e.negate && !e.multi_key && !e.path.has_wildcard && !e.path.empty() && !e.values.empty();
}

bool AllStrings(const Expr& e) {
  for (const Literal& lit : e.values) {
    if (lit.kind != ValueKind::kString) return false;
  }
  return true;
}

// Which kind of index can serve this conjunct, if any.
bool IndexKindOf(const Expr& e, IndexKind* kind) {
  if (!PlainPath(e) || !AllStrings(e)) return false;
  if ((e.op == Op::kEquals || e.op == Op::kIsIn) && !e.ignore_case) {
    *kind = IndexKind::kExact;
  } else if (e.op == Op::kStartsWith && !e.ignore_case) {
    *kind = IndexKind::kPrefix;
  } else if (e.op == Op::kMatches) {
    *kind = IndexKind::kRegex;
  } else {
    return false;
  }
  return true;
}

std::string PathKey(const FieldPath& p) {
  std::string key;
  for (const PathStep& s : p.steps) {
    absl::StrAppend(&key, s.kind == PathStep::kIndex ? absl::StrCat("\x01", s.index) : s.key, "\x1f");
  }
  return key;
}

std::string ShareKey(const Expr& e, const Literal& value) {
  return absl::StrCat(static_cast<int>(e.op), "\x1e", PathKey(e.path), "\x1e", value.s);
}

template <typename Fn>
void ForEachConjunct(const std::vector<Expr>& exprs, Fn fn) {
  for (const Expr& e : exprs) {
    if (e.op == Op::kAll) {
      ForEachConjunct(e.children, fn);
    } else {
      fn(e);
    }
  }
}

template <typename Fn>
void ForEachRuleConjunct(const CompiledRule& rule, Fn fn) {
  ForEachConjunct(rule.inline_filters, fn);
  ForEachConjunct(rule.detection, fn);
}

template <typename Index>
Index& IndexFor(std::vector<Index>& indexes, const FieldPath& path) {
  const std::string key = PathKey(path);
  for (Index& i : indexes) {
    if (PathKey(*i.path) == key) return i;
  }
  indexes.push_back(Index{&path});
  return indexes.back();
}

void AddUnique(std::vector<uint32_t>& list, uint32_t index) {
  if (list.empty() || list.back() != index) list.push_back(index);
}

}  // namespace

const Expr* RuleIndex::IndexConjunct(const CompiledRule& rule, const ShareCounts& counts) {
  // The conjunct whose values the fewest rules require (a value 250 rules require makes 250 candidates each
  // time it occurs); on a tie exact beats prefix beats regex, which cost more per event.
  const Expr* best = nullptr;
  IndexKind best_kind = IndexKind::kRegex;
  long best_cost = std::numeric_limits<long>::max();
  ForEachRuleConjunct(rule, [&](const Expr& e) {
    IndexKind kind;
    if (!IndexKindOf(e, &kind)) return;
    long cost = 0;
    for (const Literal& v : e.values) {
      auto it = counts.find(ShareKey(e, v));
      cost += it == counts.end() ? 1 : it->second;
    }
    if (best == nullptr || cost < best_cost || (cost == best_cost && kind < best_kind)) {
      best = &e;
      best_kind = kind;
      best_cost = cost;
    }
  });
  return best;
}

void RuleIndex::AddRule(Bucket& bucket, uint32_t index, const CompiledRule& rule, const ShareCounts& counts) {
  const Expr* conjunct = IndexConjunct(rule, counts);
  IndexKind kind;
  if (conjunct == nullptr || !IndexKindOf(*conjunct, &kind)) {
    bucket.always.push_back(index);
    return;
  }
  switch (kind) {
    case IndexKind::kExact: {
      ExactIndex& ei = IndexFor(bucket.exact, conjunct->path);
      for (const Literal& lit : conjunct->values) AddUnique(ei.by_value[lit.s], index);
      break;
    }
    case IndexKind::kPrefix: {
      PrefixIndex& pi = IndexFor(bucket.prefix, conjunct->path);
      const std::string& prefix = conjunct->values[0].s;
      AddUnique(pi.by_prefix[prefix], index);
      if (std::find(pi.lengths.begin(), pi.lengths.end(), prefix.size()) == pi.lengths.end()) {
        pi.lengths.push_back(prefix.size());
        std::sort(pi.lengths.begin(), pi.lengths.end());
      }
      break;
    }
    case IndexKind::kRegex: {
      RegexIndex& ri = IndexFor(bucket.regex, conjunct->path);
      ri.patterns.push_back(absl::StrCat(conjunct->ignore_case ? "(?i)" : "", conjunct->values[0].s));
      ri.rule_of_pattern.push_back(index);
      break;
    }
  }
}

void RuleIndex::Finish(Bucket& bucket, const EngineOptions& options) {
  for (auto it = bucket.regex.begin(); it != bucket.regex.end();) {
    RE2::Options re_options;
    re_options.set_log_errors(false);
    // The set's DFA is shared by all its patterns: give it a budget that grows with them.
    re_options.set_max_mem(std::max<int64_t>(options.max_regex_memory_bytes, 64 << 20));
    it->set = std::make_unique<RE2::Set>(re_options, RE2::UNANCHORED);
    bool ok = true;
    for (const std::string& p : it->patterns) ok = ok && it->set->Add(re2::StringPiece(p), nullptr) >= 0;
    if (ok && it->set->Compile()) {
      ++it;
      continue;
    }
    // Cannot serve as an index: its rules are always candidates instead (correct, only slower).
    bucket.always.insert(bucket.always.end(), it->rule_of_pattern.begin(), it->rule_of_pattern.end());
    std::sort(bucket.always.begin(), bucket.always.end());
    it = bucket.regex.erase(it);
  }
}

std::unique_ptr<RuleIndex> RuleIndex::Build(const std::vector<std::unique_ptr<CompiledRule>>& rules,
                                            const EngineOptions& options) {
  auto index = std::unique_ptr<RuleIndex>(new RuleIndex());
  ShareCounts counts;
  for (const auto& rule : rules) {
    if (!rule->info.enabled) continue;
    for (const std::string& lt : rule->info.log_types) index->by_log_type_.try_emplace(lt);
    ForEachRuleConjunct(*rule, [&](const Expr& e) {
      IndexKind kind;
      if (!IndexKindOf(e, &kind)) return;
      for (const Literal& v : e.values) ++counts[ShareKey(e, v)];
    });
  }
  for (uint32_t i = 0; i < rules.size(); ++i) {
    const CompiledRule& rule = *rules[i];
    if (!rule.info.enabled) continue;
    if (rule.info.log_types.empty()) {
      index->AddRule(index->any_log_type_, i, rule, counts);
      for (auto& [lt, bucket] : index->by_log_type_) index->AddRule(bucket, i, rule, counts);
    } else {
      for (const std::string& lt : rule.info.log_types) index->AddRule(index->by_log_type_[lt], i, rule, counts);
    }
  }
  index->Finish(index->any_log_type_, options);
  for (auto& [lt, bucket] : index->by_log_type_) index->Finish(bucket, options);
  return index;
}

void RuleIndex::BucketCandidates(const Bucket& bucket, const EvalContext& ctx, std::vector<uint32_t>* out) const {
  for (const ExactIndex& k : bucket.exact) {
    const Value v = ResolveEventPath(*k.path, ctx);
    if (!v.is_string()) continue;
    auto found = k.by_value.find(v.string_value());
    if (found != k.by_value.end()) out->insert(out->end(), found->second.begin(), found->second.end());
  }
  for (const PrefixIndex& k : bucket.prefix) {
    const Value v = ResolveEventPath(*k.path, ctx);
    if (!v.is_string()) continue;
    const absl::string_view s = v.string_value();
    for (size_t len : k.lengths) {
      if (len > s.size()) break;
      auto found = k.by_prefix.find(s.substr(0, len));
      if (found != k.by_prefix.end()) out->insert(out->end(), found->second.begin(), found->second.end());
    }
  }
  for (const RegexIndex& k : bucket.regex) {
    const Value v = ResolveEventPath(*k.path, ctx);
    if (!v.is_string()) continue;
    std::vector<int>& hits = ctx.scratch->regex_hits();
    hits.clear();
    RE2::Set::ErrorInfo error;
    const absl::string_view s = v.string_value();
    if (k.set->Match(re2::StringPiece(s.data(), s.size()), &hits, &error)) {
      for (int h : hits) out->push_back(k.rule_of_pattern[h]);
    } else if (error.kind != RE2::Set::kNoError) {
      // Out of memory in the set's DFA: never "no match"; every rule of the set is a candidate instead.
      out->insert(out->end(), k.rule_of_pattern.begin(), k.rule_of_pattern.end());
    }
  }
}

void RuleIndex::Candidates(absl::string_view log_type, const EvalContext& ctx, std::vector<uint32_t>* out) const {
  auto it = by_log_type_.find(log_type);
  const Bucket& bucket = it == by_log_type_.end() ? any_log_type_ : it->second;
  out->assign(bucket.always.begin(), bucket.always.end());
  const size_t always = out->size();
  BucketCandidates(bucket, ctx, out);
  if (out->size() != always) {
    std::sort(out->begin(), out->end());
    out->erase(std::unique(out->begin(), out->end()), out->end());
  }
}

}  // namespace detect::engine_internal
