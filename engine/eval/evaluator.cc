// Evaluation of detection expressions. Semantics are documented in docs/rule-format.md ("Semantics").
#include "engine/eval/evaluator.h"

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "engine/eval/panther_fields.h"
#include "engine/eval/root_projection.h"

namespace detect::engine_internal {
namespace {

bool IsNumber(const Value& v) { return v.is_int() || v.is_double(); }

bool NumbersEqual(const Value& a, const Value& b) {
  if (a.is_int() && b.is_int()) return a.int_value() == b.int_value();
  return a.number_value() == b.number_value();
}

bool AsciiFind(absl::string_view haystack, absl::string_view needle) {
  if (needle.empty()) return true;
  if (needle.size() > haystack.size()) return false;
  for (size_t i = 0; i + needle.size() <= haystack.size(); ++i) {
    if (absl::EqualsIgnoreCase(haystack.substr(i, needle.size()), needle)) return true;
  }
  return false;
}

bool StringsEqual(const Value& a, const Value& b, bool ignore_case) {
  if (!a.is_string() || !b.is_string()) return false;
  return ignore_case ? absl::EqualsIgnoreCase(a.string_value(), b.string_value())
                     : a.string_value() == b.string_value();
}

bool EqualsMaybeIgnoreCase(const Value& a, const Value& b, bool ignore_case) {
  if (ignore_case && a.is_string() && b.is_string()) return StringsEqual(a, b, true);
  return PyEquals(a, b);
}

// Python `needle in haystack`: substring for strings, membership for lists, key for objects.
bool PyIn(const Value& needle, const Value& haystack, bool ignore_case) {
  if (haystack.is_string()) {
    if (!needle.is_string()) return false;
    return ignore_case ? AsciiFind(haystack.string_value(), needle.string_value())
                       : absl::StrContains(haystack.string_value(), needle.string_value());
  }
  if (haystack.is_list()) {
    bool found = false;
    haystack.ForEachElement([&](const Value& e) {
      found = EqualsMaybeIgnoreCase(e, needle, ignore_case);
      return !found;
    });
    return found;
  }
  if (haystack.is_object() && needle.is_string()) {
    if (!ignore_case) return !haystack.Get(needle.string_value()).is_missing();
    bool found = false;
    haystack.ForEachMember([&](absl::string_view key, const Value&) {
      found = absl::EqualsIgnoreCase(key, needle.string_value());
      return !found;
    });
    return found;
  }
  return false;
}

bool InValues(const Value& v, const Expr& e) {
  if (v.is_string() && !e.string_set.empty()) {
    if (!e.ignore_case) return e.string_set.contains(v.string_value());
    return e.string_set.contains(absl::AsciiStrToLower(v.string_value()));
  }
  for (const Literal& lit : e.values) {
    if (EqualsMaybeIgnoreCase(v, lit.AsValue(), e.ignore_case)) return true;
  }
  return false;
}

bool CompareNumbers(Op op, const Value& a, const Value& b) {
  if (!IsNumber(a) || !IsNumber(b)) return false;
  if (a.is_int() && b.is_int()) {
    const int64_t x = a.int_value(), y = b.int_value();
    switch (op) {
      case Op::kGreaterThan: return x > y;
      case Op::kGreaterThanOrEquals: return x >= y;
      case Op::kLessThan: return x < y;
      default: return x <= y;
    }
  }
  const double x = a.number_value(), y = b.number_value();
  switch (op) {
    case Op::kGreaterThan: return x > y;
    case Op::kGreaterThanOrEquals: return x >= y;
    case Op::kLessThan: return x < y;
    default: return x <= y;
  }
}

std::optional<IpAddress> IpOf(const Value& v) {
  if (!v.is_string()) return std::nullopt;
  return ParseIpAddress(v.string_value());
}

// The condition before negation. `v` is the tested value, `x` the operand (Value, or the second key).
bool EvalCondition(const Expr& e, const Value& v, const Value& x) {
  switch (e.op) {
    case Op::kEquals: return EqualsMaybeIgnoreCase(v, x, e.ignore_case);
    case Op::kStartsWith:
      if (!v.is_string() || !x.is_string()) return false;
      return e.ignore_case ? absl::StartsWithIgnoreCase(v.string_value(), x.string_value())
                           : absl::StartsWith(v.string_value(), x.string_value());
    case Op::kEndsWith:
      if (!v.is_string() || !x.is_string()) return false;
      return e.ignore_case ? absl::EndsWithIgnoreCase(v.string_value(), x.string_value())
                           : absl::EndsWith(v.string_value(), x.string_value());
    case Op::kContains: return PyIn(x, v, e.ignore_case);
    case Op::kIsIn: return InValues(v, e);
    case Op::kGreaterThan:
    case Op::kGreaterThanOrEquals:
    case Op::kLessThan:
    case Op::kLessThanOrEquals: return CompareNumbers(e.op, v, x);
    case Op::kExists: return !v.is_missing() && !v.is_null();
    case Op::kIsNull: return v.is_missing() || v.is_null();
    case Op::kIsNullOrEmpty: return !IsTruthy(v);
    case Op::kIsIPAddress: return IpOf(v).has_value();
    case Op::kIsIPAddressPrivate: {
      auto ip = IpOf(v);
      return ip && IsPrivate(*ip);
    }
    case Op::kIsIPAddressPublic: {
      auto ip = IpOf(v);
      return ip && IsGlobal(*ip);
    }
    case Op::kIsIPAddressInCIDR: {
      auto ip = IpOf(v);
      if (!ip) return false;
      for (const IpNetwork& net : e.networks) {
        if (NetworkContains(net, *ip)) return true;
      }
      return false;
    }
    case Op::kMatches:
      return v.is_string() &&
             RE2::PartialMatch(re2::StringPiece(v.string_value().data(), v.string_value().size()), *e.regex);
    case Op::kIntersects: {
      if (!v.is_list()) return InValues(v, e);
      bool found = false;
      v.ForEachElement([&](const Value& elem) {
        found = InValues(elem, e);
        return !found;
      });
      return found;
    }
    default: return false;
  }
}

bool EvalComprehension(const Expr& e, const Value* base, const EvalContext& ctx) {
  const Value list = ResolvePath(e.path, base, ctx);
  if (!list.is_list()) {
    // Not a list (missing, null, scalar, object): there are no elements. AllElements needs a list.
    return e.op == Op::kNoElement;
  }
  size_t matched = 0, total = 0;
  bool stop = false;
  list.ForEachElement([&](const Value& elem) {
    ++total;
    if (EvalAll(e.children, &elem, ctx)) ++matched;
    switch (e.op) {
      case Op::kAnyElement: stop = matched > 0; break;
      case Op::kAllElements: stop = matched != total; break;
      case Op::kNoElement: stop = matched > 0; break;
      default: stop = matched > 1; break;
    }
    return !stop;
  });
  switch (e.op) {
    case Op::kAnyElement: return matched > 0;
    case Op::kAllElements: return matched == total;
    case Op::kNoElement: return matched == 0;
    default: return matched == 1;
  }
}

}  // namespace

bool PyEquals(const Value& a, const Value& b) {
  const bool a_none = a.is_missing() || a.is_null(), b_none = b.is_missing() || b.is_null();
  if (a_none || b_none) return a_none && b_none;
  if (a.is_bool() || b.is_bool()) return a.is_bool() && b.is_bool() && a.bool_value() == b.bool_value();
  if (IsNumber(a) || IsNumber(b)) return IsNumber(a) && IsNumber(b) && NumbersEqual(a, b);
  if (a.is_string() || b.is_string()) return StringsEqual(a, b, false);
  if (a.kind() != b.kind() || a.Size() != b.Size()) return false;
  bool equal = true;
  if (a.is_list()) {
    int64_t i = 0;
    a.ForEachElement([&](const Value& e) {
      equal = PyEquals(e, b.At(i++));
      return equal;
    });
  } else {
    a.ForEachMember([&](absl::string_view key, const Value& e) {
      equal = PyEquals(e, b.Get(key));
      return equal;
    });
  }
  return equal;
}

namespace {

// Calls fn for each string the selector holds (itself, or the strings of a list).
template <typename Fn>
void ForEachSelectorString(const Value& v, Fn fn) {
  if (v.is_string()) {
    fn(v);
  } else {
    v.ForEachElement([&](const Value& e) {
      if (e.is_string()) fn(e);
      return true;
    });
  }
}

Value DeriveEnrichment(const LookupTable& table, const FieldPath& path, const EvalContext& ctx) {
  const std::vector<FieldPath>* selectors = table.Selectors(ctx.log_type);
  if (selectors == nullptr) return Value();
  std::vector<Value>* out = ctx.scratch->NewList();
  const FieldPath* by_selector = nullptr;  // p_enrichment.<table>.<selector>...: that selector's rows.
  for (const FieldPath& selector : *selectors) {
    if (path.steps.size() > 2 && path.steps[2].kind == PathStep::kKey && selector.text == path.steps[2].key) {
      by_selector = &selector;
    }
  }
  if (by_selector == nullptr) {  // p_enrichment.<table>...: the matched keys, then the rest of the path.
    for (const FieldPath& selector : *selectors) {
      ForEachSelectorString(ResolveEventPath(selector, ctx), [&](const Value& s) {
        if (!table.Find(s.string_value()).is_missing()) out->push_back(s);
      });
    }
    return out->empty() ? Value() : LookupFrom(path, 2, EvalState::ListValue(out), *ctx.scratch);
  }
  for (const FieldPath& selector : *selectors) {
    if (&selector != by_selector) continue;
    const Value v = ResolveEventPath(selector, ctx);
    Value rows;
    if (v.is_string()) {
      rows = table.Find(v.string_value());
    } else {
      ForEachSelectorString(v, [&](const Value& s) {
        const Value row = table.Find(s.string_value());
        if (!row.is_missing()) out->push_back(row);
      });
      if (!out->empty()) rows = EvalState::ListValue(out);
    }
    return LookupFrom(path, 3, rows, *ctx.scratch);
  }
  return Value();
}

bool IsEnrichmentPath(const FieldPath& path) {
  // As a string_view: the length is compared inline first (std::string == const char* calls compare()),
  // and most paths that read missing are not enrichment paths.
  return path.steps.size() >= 2 && path.steps[0].kind == PathStep::kKey &&
         absl::string_view(path.steps[0].key) == "p_enrichment" && path.steps[1].kind == PathStep::kKey;
}

}  // namespace

Value ResolveEventPathSlow(const FieldPath& path, const EvalContext& ctx) {
  Value v;
  if (path.parent != nullptr) {
    // A key below a top-level object the root projection read whole: had the object held it, its memo would
    // be filled.
    if (path.projected_depth != 2 || !ProjectedRootExpanded(ctx.event, path.root_slot, *ctx.scratch)) {
      v = LookupFrom(path, path.parent->steps.size(), ResolveEventPath(*path.parent, ctx), *ctx.scratch);
    }
  } else {
    Value top;
    v = path.root_slot >= 0 && ProjectedRootSlot(ctx.event, path.root_slot, &top)
            ? LookupFrom(path, 1, top, *ctx.scratch)
            : Lookup(path, ctx.event, *ctx.scratch);
    if (v.is_missing() && ctx.options->derive_panther_fields && !path.steps.empty() &&
        path.steps[0].kind == PathStep::kKey && IsDerivablePantherField(path.steps[0].key) &&
        ctx.event.Get(path.steps[0].key).is_missing()) {
      const Value derived = DerivePantherField(path.steps[0].key, ctx.event, *ctx.scratch);
      v = LookupFrom(path, 1, derived, *ctx.scratch);
    }
  }
  if (v.is_missing() && ctx.tables != nullptr && IsEnrichmentPath(path)) {
    auto table = ctx.tables->find(path.steps[1].key);
    if (table != ctx.tables->end() && ctx.event.Get("p_enrichment").Get(path.steps[1].key).is_missing()) {
      v = DeriveEnrichment(*table->second, path, ctx);
    }
  }
  ctx.scratch->SetMemo(path.cache_slot, v);
  return v;
}

Value ResolvePath(const FieldPath& path, const Value* base, const EvalContext& ctx) {
  if (base == nullptr) return ResolveEventPath(path, ctx);
  return Lookup(path, *base, *ctx.scratch);
}

bool EvalAll(const std::vector<Expr>& exprs, const Value* base, const EvalContext& ctx) {
  for (const Expr& e : exprs) {
    if (!EvalExpr(e, base, ctx)) return false;
  }
  return true;
}

bool EvalExpr(const Expr& e, const Value* base, const EvalContext& ctx) {
  switch (e.op) {
    case Op::kAll: return EvalAll(e.children, base, ctx);
    case Op::kAny:
      for (const Expr& c : e.children) {
        if (EvalExpr(c, base, ctx)) return true;
      }
      return false;
    case Op::kOnlyOne: {
      int n = 0;
      for (const Expr& c : e.children) {
        if (EvalExpr(c, base, ctx) && ++n > 1) return false;
      }
      return n == 1;
    }
    case Op::kNone:
      for (const Expr& c : e.children) {
        if (EvalExpr(c, base, ctx)) return false;
      }
      return true;
    case Op::kAlwaysTrue: return true;
    case Op::kAlwaysFalse: return false;
    case Op::kAnyElement:
    case Op::kAllElements:
    case Op::kNoElement:
    case Op::kOnlyOneElement: return EvalComprehension(e, base, ctx);
    default: break;
  }
  const Value v = ResolvePath(e.path, base, ctx);
  Value x;
  if (e.multi_key) {
    x = ResolvePath(e.other_path, base, ctx);
  } else if (!e.values.empty()) {
    x = e.values[0].AsValue();
  }
  return EvalCondition(e, v, x) != e.negate;
}

}  // namespace detect::engine_internal
