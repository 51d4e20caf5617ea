// Parsing of detection expressions into AST nodes: combinators, conditions and their operands, key specifiers.
#include "engine/parse/detection_parser.h"

#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "engine/internal/yaml_util.h"

namespace detect::engine_internal {
namespace {

enum class Operand { kNone, kValue, kValues, kValueOrValues, kExpressions, kOptionalBool };

struct ConditionSpec {
  const char* name;
  Op op;
  bool negate;
  bool ignore_case;
  Operand operand;
};

// Every condition spelling the grammar accepts. Panther's own first, then this project's extensions
// (Matches, Intersects, the I-forms of IsIn and the CIDR tests), documented in docs/rule-format.md.
constexpr ConditionSpec kConditions[] = {
    {"Equals", Op::kEquals, false, false, Operand::kValue},
    {"DoesNotEqual", Op::kEquals, true, false, Operand::kValue},
    {"IEquals", Op::kEquals, false, true, Operand::kValue},
    {"IDoesNotEqual", Op::kEquals, true, true, Operand::kValue},
    {"StartsWith", Op::kStartsWith, false, false, Operand::kValue},
    {"DoesNotStartWith", Op::kStartsWith, true, false, Operand::kValue},
    {"IStartsWith", Op::kStartsWith, false, true, Operand::kValue},
    {"IDoesNotStartWith", Op::kStartsWith, true, true, Operand::kValue},
    {"EndsWith", Op::kEndsWith, false, false, Operand::kValue},
    {"DoesNotEndWith", Op::kEndsWith, true, false, Operand::kValue},
    {"IEndsWith", Op::kEndsWith, false, true, Operand::kValue},
    {"IDoesNotEndWith", Op::kEndsWith, true, true, Operand::kValue},
    {"Contains", Op::kContains, false, false, Operand::kValue},
    {"DoesNotContain", Op::kContains, true, false, Operand::kValue},
    {"IContains", Op::kContains, false, true, Operand::kValue},
    {"IDoesNotContain", Op::kContains, true, true, Operand::kValue},
    {"Has", Op::kContains, false, false, Operand::kValue},
    {"DoesNotHave", Op::kContains, true, false, Operand::kValue},
    {"IHas", Op::kContains, false, true, Operand::kValue},
    {"IDoesNotHave", Op::kContains, true, true, Operand::kValue},
    {"IsIn", Op::kIsIn, false, false, Operand::kValues},
    {"IsNotIn", Op::kIsIn, true, false, Operand::kValues},
    {"IIsIn", Op::kIsIn, false, true, Operand::kValues},
    {"IIsNotIn", Op::kIsIn, true, true, Operand::kValues},
    {"IsGreaterThan", Op::kGreaterThan, false, false, Operand::kValue},
    {"IsGreaterThanOrEquals", Op::kGreaterThanOrEquals, false, false, Operand::kValue},
    {"IsLessThan", Op::kLessThan, false, false, Operand::kValue},
    {"IsLessThanOrEquals", Op::kLessThanOrEquals, false, false, Operand::kValue},
    {"Exists", Op::kExists, false, false, Operand::kNone},
    {"DoesNotExist", Op::kExists, true, false, Operand::kNone},
    {"IsNull", Op::kIsNull, false, false, Operand::kNone},
    {"IsNotNull", Op::kIsNull, true, false, Operand::kNone},
    {"IsNullOrEmpty", Op::kIsNullOrEmpty, false, false, Operand::kNone},
    {"IsNotNullOrEmpty", Op::kIsNullOrEmpty, true, false, Operand::kNone},
    {"IsIPAddress", Op::kIsIPAddress, false, false, Operand::kOptionalBool},
    {"IsNotIPAddress", Op::kIsIPAddress, true, false, Operand::kOptionalBool},
    {"IsIPAddressPrivate", Op::kIsIPAddressPrivate, false, false, Operand::kOptionalBool},
    {"IsIPAddressNotPrivate", Op::kIsIPAddressPrivate, true, false, Operand::kOptionalBool},
    {"IsIPAddressPublic", Op::kIsIPAddressPublic, false, false, Operand::kOptionalBool},
    {"IsIPAddressNotPublic", Op::kIsIPAddressPublic, true, false, Operand::kOptionalBool},
    {"IsIPAddressInCIDR", Op::kIsIPAddressInCIDR, false, false, Operand::kValueOrValues},
    {"IsIPAddressNotInCIDR", Op::kIsIPAddressInCIDR, true, false, Operand::kValueOrValues},
    {"Matches", Op::kMatches, false, false, Operand::kValue},
    {"DoesNotMatch", Op::kMatches, true, false, Operand::kValue},
    {"IMatches", Op::kMatches, false, true, Operand::kValue},
    {"IDoesNotMatch", Op::kMatches, true, true, Operand::kValue},
    {"Intersects", Op::kIntersects, false, false, Operand::kValues},
    {"DoesNotIntersect", Op::kIntersects, true, false, Operand::kValues},
    {"AnyElement", Op::kAnyElement, false, false, Operand::kExpressions},
    {"AllElements", Op::kAllElements, false, false, Operand::kExpressions},
    {"NoElement", Op::kNoElement, false, false, Operand::kExpressions},
    {"OnlyOneElement", Op::kOnlyOneElement, false, false, Operand::kExpressions},
    {"AlwaysTrue", Op::kAlwaysTrue, false, false, Operand::kNone},
    {"AlwaysFalse", Op::kAlwaysFalse, false, false, Operand::kNone},
};

const ConditionSpec* FindCondition(absl::string_view name) {
  for (const ConditionSpec& c : kConditions) {
    if (name == c.name) return &c;
  }
  return nullptr;
}

// Closest known spelling by case-insensitive equality, for "did you mean".
const char* SuggestCondition(absl::string_view name) {
  for (const ConditionSpec& c : kConditions) {
    if (absl::EqualsIgnoreCase(name, c.name)) return c.name;
  }
  return nullptr;
}

constexpr const char* kCombinators[] = {"All", "Any", "OnlyOne", "None"};
constexpr const char* kExprKeys[] = {"Key",       "KeyPath", "DeepKey",     "Enrichment", "DataModel", "Condition",
                                     "Value",     "Values",  "Expressions", "All",        "Any",       "OnlyOne",
                                     "None"};

bool IsKnownExprKey(absl::string_view key) {
  for (const char* k : kExprKeys) {
    if (key == k) return true;
  }
  return false;
}

bool ValueOperandOk(Op op, const Literal& lit, std::string* why) {
  switch (op) {
    case Op::kGreaterThan:
    case Op::kGreaterThanOrEquals:
    case Op::kLessThan:
    case Op::kLessThanOrEquals:
      if (lit.kind != ValueKind::kInt && lit.kind != ValueKind::kDouble) {
        *why = "needs a number as Value";
        return false;
      }
      return true;
    case Op::kStartsWith:
    case Op::kEndsWith:
    case Op::kMatches:
    case Op::kIsIPAddressInCIDR:
      if (lit.kind != ValueKind::kString) {
        *why = "needs a string as Value";
        return false;
      }
      return true;
    default:
      return true;
  }
}

}  // namespace

DetectionParser::DetectionParser(const std::string& file_name, uint32_t file_index, const EngineOptions& options,
                                 std::vector<RuleIssue>* issues, const DataModelMap* data_model)
    : file_(file_name), file_index_(file_index), options_(options), issues_(issues), data_model_(data_model) {}

ast::Location DetectionParser::Loc(const YAML::Node& node) const {
  const YAML::Mark mark = node.Mark();
  if (mark.line < 0) return {file_index_, 0, 0};
  return {file_index_, mark.line + 1, mark.column + 1};
}

void DetectionParser::Error(const YAML::Node& node, std::string message) {
  issues_->push_back({RuleIssue::Severity::kError, LocationOf(node, file_), std::move(message)});
}

bool DetectionParser::ParseList(const YAML::Node& list, absl::string_view what, std::vector<ast::Node>* out) {
  if (!list.IsSequence()) {
    Error(list, absl::StrCat(what, " must be a list of expressions"));
    return false;
  }
  bool ok = true;
  for (const YAML::Node& item : list) {
    ast::Node e;
    if (ParseExpr(item, &e)) {
      out->push_back(std::move(e));
    } else {
      ok = false;
    }
  }
  return ok;
}

bool DetectionParser::ParseExpr(const YAML::Node& node, ast::Node* out) {
  out->location = Loc(node);
  if (++expressions_ > options_.max_rule_expressions) {
    if (expressions_ == options_.max_rule_expressions + 1) {
      Error(node, absl::StrCat("rule has more than max_rule_expressions ", options_.max_rule_expressions,
                               " expressions (YAML aliases repeat the subtrees they name)"));
    }
    return false;
  }
  if (!node.IsMap()) {
    Error(node, "an expression must be a mapping (Key/KeyPath/DeepKey + Condition, or All/Any/OnlyOne/None)");
    return false;
  }
  bool ok = true;
  for (const auto& kv : node) {
    const std::string key = kv.first.Scalar();
    if (!IsKnownExprKey(key)) {
      Error(kv.first, absl::StrCat("unknown key \"", key, "\" in expression; expected one of ",
                                   absl::StrJoin(kExprKeys, ", ")));
      ok = false;
    }
  }
  for (size_t i = 0; i < 4; ++i) {
    const char* name = kCombinators[i];
    if (!node[name]) continue;
    if (node.size() != 1) {
      Error(node, absl::StrCat("combinator ", name, " must be the only key of its expression"));
      return false;
    }
    out->op = static_cast<Op>(static_cast<int>(Op::kAll) + i);
    out->condition_name = name;
    return ParseList(node[name], name, &out->children) && ok;
  }
  // Keep going after an unknown key so that every mistake of the expression is reported at once.
  return ParseCondition(node, out) && ok;
}

bool DetectionParser::FindKeySpec(const YAML::Node& node, FieldPath* out, bool* ok) {
  int found = 0;
  *ok = true;
  if (const YAML::Node key = node["Key"]) {
    ++found;
    if (!key.IsScalar() || key.Scalar().empty()) {
      Error(key, "Key must be a non-empty string (use DeepKey or KeyPath for nested fields)");
      *ok = false;
    } else {
      *out = KeyPathFromKey(key.Scalar());
    }
  }
  if (const YAML::Node path = node["KeyPath"]) {
    ++found;
    auto parsed = path.IsScalar() ? ParseKeyPath(path.Scalar())
                                  : absl::StatusOr<FieldPath>(absl::InvalidArgumentError("KeyPath must be a string"));
    if (!parsed.ok()) {
      Error(path, std::string(parsed.status().message()));
      *ok = false;
    } else {
      *out = *std::move(parsed);
    }
  }
  if (const YAML::Node deep = node["DeepKey"]) {
    ++found;
    if (!deep.IsSequence() || deep.size() == 0) {
      Error(deep, "DeepKey must be a non-empty list of keys and list indexes");
      *ok = false;
    } else if (deep.size() > kMaxPathSegments) {
      Error(deep, std::string(TooManyPathSegments().message()));
      *ok = false;
    } else {
      FieldPath p;
      for (const YAML::Node& k : deep) {
        const Literal lit = k.IsScalar() ? ScalarToLiteral(k) : Literal();
        PathStep step;
        if (lit.kind == ValueKind::kInt) {
          step.kind = PathStep::kIndex;
          step.index = lit.i;
        } else if (k.IsScalar() && !k.Scalar().empty()) {
          step.key = k.Scalar();
        } else {
          Error(k, "DeepKey entries must be strings (keys) or integers (list indexes)");
          *ok = false;
          continue;
        }
        p.steps.push_back(std::move(step));
      }
      // Display text: a.b[0], with keys that hold dots or brackets quoted (annotations["k8s.io/x"]).
      for (size_t i = 0; i < p.steps.size(); ++i) {
        const PathStep& step = p.steps[i];
        if (step.kind == PathStep::kIndex) {
          absl::StrAppend(&p.text, "[", step.index, "]");
        } else if (step.key.find_first_of(".[]") != std::string::npos) {
          absl::StrAppend(&p.text, "[\"", step.key, "\"]");
        } else {
          absl::StrAppend(&p.text, i > 0 ? "." : "", step.key);
        }
      }
      *out = std::move(p);
    }
  }
  if (const YAML::Node enrichment = node["Enrichment"]) {
    ++found;
    const YAML::Node table = enrichment["Table"], selector = enrichment["Selector"], field = enrichment["FieldPath"];
    if (!enrichment.IsMap() || !table || !selector || !field || !table.IsScalar() || !selector.IsScalar() ||
        !field.IsScalar()) {
      Error(enrichment, "Enrichment needs Table, Selector and FieldPath strings");
      *ok = false;
    } else {
      auto parsed = ParseKeyPath(field.Scalar());
      if (!parsed.ok()) {
        Error(field, std::string(parsed.status().message()));
        *ok = false;
      } else {
        FieldPath p;
        for (const std::string& k : {std::string("p_enrichment"), table.Scalar(), selector.Scalar()}) {
          PathStep step;
          step.key = k;
          p.steps.push_back(std::move(step));
        }
        for (PathStep& s : parsed->steps) p.steps.push_back(std::move(s));
        p.has_wildcard = parsed->has_wildcard;
        p.text = absl::StrCat("p_enrichment.", table.Scalar(), ".", selector.Scalar(), ".", field.Scalar());
        *out = std::move(p);
      }
    }
  }
  if (const YAML::Node dm = node["DataModel"]) {
    ++found;
    const FieldPath* mapped = nullptr;
    if (dm.IsScalar() && data_model_ != nullptr) {
      auto it = data_model_->find(dm.Scalar());
      if (it != data_model_->end()) mapped = &it->second;
    }
    if (mapped == nullptr) {
      Error(dm, absl::StrCat("DataModel name \"", dm.IsScalar() ? dm.Scalar() : "", "\" is not defined by a ",
                             "data model of the rule's log types"));
      *ok = false;
    } else {
      *out = *mapped;
    }
  }
  if (found > 1) {
    Error(node, "give exactly one of Key, KeyPath, DeepKey, Enrichment, DataModel");
    *ok = false;
  }
  return found > 0;
}

bool DetectionParser::ParseKeySpec(const YAML::Node& node, absl::string_view what, FieldPath* out) {
  if (!node.IsMap()) {
    Error(node, absl::StrCat(what, " must be a mapping with Key, KeyPath, DeepKey, Enrichment or DataModel"));
    return false;
  }
  bool ok = true;
  if (!FindKeySpec(node, out, &ok)) {
    Error(node, absl::StrCat(what, " needs one of Key, KeyPath, DeepKey, Enrichment, DataModel"));
    return false;
  }
  return ok;
}

bool DetectionParser::ParseCondition(const YAML::Node& node, ast::Node* out) {
  const YAML::Node cond = node["Condition"];
  if (!cond) {
    Error(node, "expression has no Condition (and is not All/Any/OnlyOne/None)");
    return false;
  }
  if (!cond.IsScalar()) {
    Error(cond, "Condition must be a string");
    return false;
  }
  const ConditionSpec* spec = FindCondition(cond.Scalar());
  if (spec == nullptr) {
    std::string msg = absl::StrCat("unknown Condition \"", cond.Scalar(), "\"");
    if (const char* suggestion = SuggestCondition(cond.Scalar())) {
      absl::StrAppend(&msg, "; did you mean \"", suggestion, "\"?");
    }
    Error(cond, std::move(msg));
    return false;
  }
  out->op = spec->op;
  out->negate = spec->negate;
  out->ignore_case = spec->ignore_case;
  out->condition_name = spec->name;
  out->location = Loc(cond);

  bool key_ok = true;
  const bool has_key = FindKeySpec(node, &out->field, &key_ok);
  if (!key_ok) return false;
  if (spec->op == Op::kAlwaysTrue || spec->op == Op::kAlwaysFalse) {
    if (has_key || node["Value"] || node["Values"]) {
      Error(cond, absl::StrCat(spec->name, " takes no key and no value"));
      return false;
    }
    return true;
  }
  if (!has_key) {
    // Multi-key comparison: `Values:` holds exactly two key specifiers.
    const YAML::Node values = node["Values"];
    if (!values || !values.IsSequence() || values.size() == 0 || !values[0].IsMap()) {
      Error(node, absl::StrCat("Condition ", spec->name, " needs a Key, KeyPath, DeepKey or Enrichment"));
      return false;
    }
    if (spec->operand != Operand::kValue || spec->op == Op::kMatches) {
      Error(cond, absl::StrCat("Condition ", spec->name, " cannot compare two keys"));
      return false;
    }
    if (values.size() != 2) {
      Error(values, absl::StrCat("a multi-key comparison takes exactly two key specifiers, got ", values.size()));
      return false;
    }
    if (node["Value"]) {
      Error(node["Value"], "a multi-key comparison takes no Value");
      return false;
    }
    out->multi_key = true;
    return ParseKeySpec(values[0], "multi-key entry", &out->field) &&
           ParseKeySpec(values[1], "multi-key entry", &out->other_field);
  }
  return ParseOperands(node, out);
}

bool DetectionParser::ParseOperands(const YAML::Node& node, ast::Node* out) {
  const ConditionSpec* spec = FindCondition(out->condition_name);
  const YAML::Node value = node["Value"], values = node["Values"], exprs = node["Expressions"];
  const std::string& name = out->condition_name;
  if (exprs && spec->operand != Operand::kExpressions) {
    Error(exprs, absl::StrCat("Condition ", name, " takes no Expressions"));
    return false;
  }
  switch (spec->operand) {
    case Operand::kNone:
      if (value || values) {
        Error(value ? value : values, absl::StrCat("Condition ", name, " takes no Value"));
        return false;
      }
      return true;
    case Operand::kOptionalBool: {
      // Panther writes `Condition: IsIPAddressPrivate` with `Value: true`; `Value: false` negates the test.
      if (values) {
        Error(values, absl::StrCat("Condition ", name, " takes no Values"));
        return false;
      }
      if (!value) return true;
      const Literal lit = value.IsScalar() ? ScalarToLiteral(value) : Literal();
      if (lit.kind != ValueKind::kBool) {
        Error(value, absl::StrCat("Condition ", name, " takes no Value, or Value: true / false"));
        return false;
      }
      if (!lit.b) out->negate = !out->negate;
      return true;
    }
    case Operand::kExpressions:
      if (!exprs) {
        Error(node, absl::StrCat("Condition ", name, " needs Expressions (evaluated on each element)"));
        return false;
      }
      if (value || values) {
        Error(value ? value : values, absl::StrCat("Condition ", name, " takes Expressions, not Value"));
        return false;
      }
      return ParseList(exprs, "Expressions", &out->children);
    case Operand::kValue:
      if (values || !value) {
        Error(values ? values : node, absl::StrCat("Condition ", name, " needs a single Value"));
        return false;
      }
      break;
    case Operand::kValues:
      if (value || !values) {
        Error(value ? value : node, absl::StrCat("Condition ", name, " needs Values (a list)"));
        return false;
      }
      break;
    case Operand::kValueOrValues:
      if ((value && values) || (!value && !values)) {
        Error(node, absl::StrCat("Condition ", name, " needs Value or Values"));
        return false;
      }
      break;
  }
  std::vector<YAML::Node> items;
  if (value && value.IsSequence() && out->op == Op::kEquals) {
    // List equality (`sourceIPs` Equals [127.0.0.1]), as Python compares lists.
    Literal list;
    list.kind = ValueKind::kList;
    for (const YAML::Node& e : value) {
      if (!e.IsScalar() && !e.IsNull()) {
        Error(e, "list Value entries must be scalars");
        return false;
      }
      list.list.push_back(ScalarToLiteral(e));
    }
    out->operands.push_back({std::move(list), Loc(value)});
    return true;
  }
  if (value) {
    if (!value.IsScalar() && !value.IsNull()) {
      Error(value, "Value must be a scalar (or, for Equals/DoesNotEqual, a list of scalars); use Values for IsIn");
      return false;
    }
    items.push_back(value);
  } else {
    if (!values.IsSequence()) {
      Error(values, "Values must be a list");
      return false;
    }
    for (const YAML::Node& v : values) items.push_back(v);
  }
  for (const YAML::Node& item : items) {
    if (!item.IsScalar() && !item.IsNull()) {
      Error(item, "Values entries must be scalars (strings, numbers, booleans or null)");
      return false;
    }
    Literal lit = ScalarToLiteral(item);
    std::string why;
    if (!ValueOperandOk(out->op, lit, &why)) {
      Error(item, absl::StrCat("Condition ", name, " ", why));
      return false;
    }
    out->operands.push_back({std::move(lit), Loc(item)});
  }
  return true;
}

}  // namespace detect::engine_internal
