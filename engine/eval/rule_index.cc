// Construction and lookup of the rule index.
#include "engine/eval/rule_index.h"

#include <algorithm>
#include <limits>

#include "absl/strings/str_cat.h"

namespace detect::engine_internal {
namespace {

enum class IndexKind { kExact, kPrefix, kRegex };

// One index-serving condition: `op path value` for each of `values` (several for IsIn, or for an Any of such
// conditions on one path: `Any: [StartsWith system:node:, StartsWith eks:]` files the rule under both).
struct IndexTerm {
  IndexKind kind;
  const FieldPath* path;
  std::vector<const Literal*> values;
  std::vector<bool> ignore_case;  // Regex terms only.
};

bool SimpleTerm(const Expr& e, IndexTerm* term) {
  if (e.negate || e.multi_key || e.path.has_wildcard || e.path.empty() || e.values.empty()) return false;
  const bool exact_op = (e.op == Op::kEquals || e.op == Op::kIsIn) && !e.ignore_case;
  for (const Literal& lit : e.values) {
    const bool ok = lit.kind == ValueKind::kString || (exact_op && lit.kind == ValueKind::kInt);
    if (!ok) return false;
  }
  if (exact_op) {
    term->kind = IndexKind::kExact;
  } else if (e.op == Op::kStartsWith && !e.ignore_case) {
    term->kind = IndexKind::kPrefix;
  } else if (e.op == Op::kMatches) {
    term->kind = IndexKind::kRegex;
  } else {
    return false;
  }
  term->path = &e.path;
  for (const Literal& lit : e.values) {
    term->values.push_back(&lit);
    term->ignore_case.push_back(e.ignore_case);
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

// Which index can serve this conjunct: a simple condition, or an Any whose children all serve the same kind
// of index on the same path.
bool TermOf(const Expr& e, IndexTerm* term) {
  if (e.op != Op::kAny) return SimpleTerm(e, term);
  if (e.children.empty()) return false;
  for (const Expr& child : e.children) {
    IndexTerm t;
    if (!SimpleTerm(child, &t)) return false;
    if (term->path == nullptr) {
      *term = std::move(t);
      continue;
    }
    if (t.kind != term->kind || PathKey(*t.path) != PathKey(*term->path)) return false;
    term->values.insert(term->values.end(), t.values.begin(), t.values.end());
    term->ignore_case.insert(term->ignore_case.end(), t.ignore_case.begin(), t.ignore_case.end());
  }
  return true;
}

std::string ValueKey(const Literal& v) {
  return v.kind == ValueKind::kInt ? absl::StrCat("\x02", v.i) : v.s;
}

std::string ShareKey(const IndexTerm& t, const Literal& value) {
  return absl::StrCat(static_cast<int>(t.kind), "\x1e", PathKey(*t.path), "\x1e", ValueKey(value));
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
  indexes.push_back(Index{&path, {}});
  return indexes.back();
}

void AddUnique(std::vector<uint32_t>& list, uint32_t index) {
  if (list.empty() || list.back() != index) list.push_back(index);
}

}  // namespace

const Expr* RuleIndex::IndexConjunct(const CompiledRule& rule, const ShareCounts& counts,
                                     const EngineOptions& options) {
  // The conjunct whose values the fewest rules require (a value 250 rules require makes 250 candidates each
  // time it occurs), with fields of few, common values (verb, stage) weighed as if many rules required them;
  // on a tie exact beats prefix beats regex, which cost more per event.
  constexpr long kLowSelectivityWeight = 64;
  const Expr* best = nullptr;
  IndexKind best_kind = IndexKind::kRegex;
  long best_cost = std::numeric_limits<long>::max();
  ForEachRuleConjunct(rule, [&](const Expr& e) {
    IndexTerm term{};
    if (!TermOf(e, &term)) return;
    const bool weak = std::find(options.low_selectivity_fields.begin(), options.low_selectivity_fields.end(),
                                term.path->text) != options.low_selectivity_fields.end();
    long cost = 0;
    for (const Literal* v : term.values) {
      auto it = counts.find(ShareKey(term, *v));
      cost += (it == counts.end() ? 1 : it->second) * (weak ? kLowSelectivityWeight : 1);
    }
    if (best == nullptr || cost < best_cost || (cost == best_cost && term.kind < best_kind)) {
      best = &e;
      best_kind = term.kind;
      best_cost = cost;
    }
  });
  return best;
}

void RuleIndex::AddRule(Bucket& bucket, uint32_t index, const CompiledRule& rule, const ShareCounts& counts,
                        const EngineOptions& options) {
  const Expr* conjunct = IndexConjunct(rule, counts, options);
  if (index >= chosen_.size()) chosen_.resize(index + 1, nullptr);
  chosen_[index] = conjunct;
  IndexTerm term{};
  if (conjunct == nullptr || !TermOf(*conjunct, &term)) {
    bucket.always.push_back(index);
    return;
  }
  switch (term.kind) {
    case IndexKind::kExact: {
      ExactIndex& ei = IndexFor(bucket.exact, *term.path);
      for (const Literal* lit : term.values) {
        AddUnique(lit->kind == ValueKind::kInt ? ei.by_int[lit->i] : ei.by_value.building[lit->s], index);
      }
      break;
    }
    case IndexKind::kPrefix: {
      PrefixIndex& pi = IndexFor(bucket.prefix, *term.path);
      for (const Literal* lit : term.values) {
        AddUnique(pi.by_prefix.building[lit->s], index);
        if (std::find(pi.lengths.begin(), pi.lengths.end(), lit->s.size()) == pi.lengths.end()) {
          pi.lengths.push_back(lit->s.size());
          std::sort(pi.lengths.begin(), pi.lengths.end());
        }
      }
      break;
    }
    case IndexKind::kRegex: {
      RegexIndex& ri = IndexFor(bucket.regex, *term.path);
      for (size_t i = 0; i < term.values.size(); ++i) {
        ri.patterns.push_back(absl::StrCat(term.ignore_case[i] ? "(?i)" : "", term.values[i]->s));
        ri.rule_of_pattern.push_back(index);
      }
      break;
    }
  }
}

void RuleIndex::ValueLists::Finish() {
  std::vector<std::string> keys;
  keys.reserve(building.size());
  rules.clear();
  rules.reserve(building.size());
  for (auto& [value, list] : building) {
    keys.push_back(value);
    rules.push_back(std::move(list));
  }
  building.clear();
  values = StringTable(std::move(keys));
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
    bucket.always.erase(std::unique(bucket.always.begin(), bucket.always.end()), bucket.always.end());
    it = bucket.regex.erase(it);
  }
  for (ExactIndex& k : bucket.exact) k.by_value.Finish();
  for (PrefixIndex& k : bucket.prefix) k.by_prefix.Finish();
  bucket.always_bits.assign(words_, 0);
  for (uint32_t i : bucket.always) bucket.always_bits[i / 64] |= uint64_t{1} << (i % 64);
}

std::unique_ptr<RuleIndex> RuleIndex::Build(const std::vector<std::unique_ptr<CompiledRule>>& rules,
                                            const EngineOptions& options) {
  auto index = std::unique_ptr<RuleIndex>(new RuleIndex());
  index->words_ = (rules.size() + 63) / 64;
  ShareCounts counts;
  absl::flat_hash_map<std::string, Bucket> by_log_type;
  for (const auto& rule : rules) {
    if (!rule->info.enabled) continue;
    for (const std::string& lt : rule->info.log_types) by_log_type.try_emplace(lt);
    ForEachRuleConjunct(*rule, [&](const Expr& e) {
      IndexTerm term{};
      if (!TermOf(e, &term)) return;
      for (const Literal* v : term.values) ++counts[ShareKey(term, *v)];
    });
  }
  for (uint32_t i = 0; i < rules.size(); ++i) {
    const CompiledRule& rule = *rules[i];
    if (!rule.info.enabled) continue;
    if (rule.info.log_types.empty()) {
      index->AddRule(index->any_log_type_, i, rule, counts, options);
      for (auto& [lt, bucket] : by_log_type) index->AddRule(bucket, i, rule, counts, options);
    } else {
      for (const std::string& lt : rule.info.log_types) {
        index->AddRule(by_log_type[lt], i, rule, counts, options);
      }
    }
  }
  index->Finish(index->any_log_type_, options);
  std::vector<std::string> log_types;
  for (auto& [lt, bucket] : by_log_type) {
    index->Finish(bucket, options);
    log_types.push_back(lt);
    index->buckets_.push_back(std::move(bucket));
  }
  index->log_types_ = StringTable(std::move(log_types));
  return index;
}

void RuleIndex::BucketCandidates(const Bucket& bucket, const EvalContext& ctx, uint64_t* bits) const {
  const auto add = [bits](const std::vector<uint32_t>& rules) {
    for (uint32_t i : rules) bits[i / 64] |= uint64_t{1} << (i % 64);
  };
  for (const ExactIndex& k : bucket.exact) {
    const Value v = ResolveEventPath(*k.path, ctx);
    if (v.is_string()) {
      if (const std::vector<uint32_t>* rules = k.by_value.Find(v.string_value())) add(*rules);
    } else if (v.is_number() && !k.by_int.empty()) {
      // Python equality: 403.0 equals 403.
      const double d = v.number_value();
      const int64_t i = v.is_int() ? v.int_value() : static_cast<int64_t>(d);
      auto found = k.by_int.find(i);
      if (found != k.by_int.end() && (v.is_int() || static_cast<double>(i) == d)) add(found->second);
    }
  }
  for (const PrefixIndex& k : bucket.prefix) {
    const Value v = ResolveEventPath(*k.path, ctx);
    if (!v.is_string()) continue;
    const absl::string_view s = v.string_value();
    for (size_t len : k.lengths) {
      if (len > s.size()) break;
      if (const std::vector<uint32_t>* rules = k.by_prefix.Find(s.substr(0, len))) add(*rules);
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
      for (int h : hits) bits[k.rule_of_pattern[h] / 64] |= uint64_t{1} << (k.rule_of_pattern[h] % 64);
    } else if (error.kind != RE2::Set::kNoError) {
      // Out of memory in the set's DFA: never "no match"; every rule of the set is a candidate instead.
      add(k.rule_of_pattern);
    }
  }
}

void RuleIndex::Candidates(absl::string_view log_type, const EvalContext& ctx, std::vector<uint32_t>* out) const {
  const int id = log_types_.Find(log_type);
  const Bucket& bucket = id < 0 ? any_log_type_ : buckets_[static_cast<size_t>(id)];
  if (bucket.exact.empty() && bucket.prefix.empty() && bucket.regex.empty()) {
    out->assign(bucket.always.begin(), bucket.always.end());
    return;
  }
  // A bit per rule: candidates come out in rule order and each once, without sorting. One word for up to 64
  // rules; the set is as large as the rule set, not as the event.
  std::vector<uint64_t>& bits = ctx.scratch->candidate_bits();
  bits.assign(bucket.always_bits.begin(), bucket.always_bits.end());
  BucketCandidates(bucket, ctx, bits.data());
  out->clear();
  for (size_t w = 0; w < bits.size(); ++w) {
    for (uint64_t x = bits[w]; x != 0; x &= x - 1) {
      out->push_back(static_cast<uint32_t>(w * 64 + static_cast<size_t>(__builtin_ctzll(x))));
    }
  }
}

}  // namespace detect::engine_internal
