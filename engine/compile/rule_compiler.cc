// RuleCompiler: AST nodes to Expr trees, and a rule's AST to its CompiledRule.
#include "engine/compile/rule_compiler.h"

#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "engine/internal/ip_address.h"

namespace detect::engine_internal {
namespace {

// Thread-compatible; one per rule.
class NodeCompiler {
 public:
  NodeCompiler(const EngineOptions& options, const ast::SourceFiles& files, std::vector<RuleIssue>* issues)
      : options_(options), files_(files), issues_(issues) {}

  bool List(std::vector<ast::Node>& nodes, std::vector<Expr>* out) {
    bool ok = true;
    out->reserve(nodes.size());
    for (ast::Node& node : nodes) {
      Expr e;
      if (Node(node, &e)) {
        out->push_back(std::move(e));
      } else {
        ok = false;
      }
    }
    return ok;
  }

  template <typename T>
  bool Variants(std::vector<ast::Variant<T>>& variants, std::vector<AlertVariant<T>>* out) {
    bool ok = true;
    for (ast::Variant<T>& v : variants) {
      AlertVariant<T> compiled;
      compiled.value = std::move(v.value);
      ok = List(v.conditions, &compiled.conditions) && ok;
      out->push_back(std::move(compiled));
    }
    return ok;
  }

 private:
  void Error(const ast::Location& at, std::string message) {
    issues_->push_back({RuleIssue::Severity::kError, files_.Resolve(at), std::move(message)});
  }

  bool Node(ast::Node& node, Expr* out) {
    out->op = node.op;
    out->negate = node.negate;
    out->ignore_case = node.ignore_case;
    out->condition_name = std::move(node.condition_name);
    out->line = node.location.line;
    out->column = node.location.column;
    out->path = std::move(node.field);
    out->other_path = std::move(node.other_field);
    out->multi_key = node.multi_key;
    if (!node.children.empty() && !List(node.children, &out->children)) return false;
    out->values.reserve(node.operands.size());
    for (ast::Operand& operand : node.operands) out->values.push_back(std::move(operand.value));
    return Operands(node, out);
  }

  // The engine-side forms of the operands: what the evaluator matches against instead of the literals.
  bool Operands(const ast::Node& node, Expr* out) {
    if (out->op == Op::kIsIn || out->op == Op::kIntersects) {
      for (const Literal& lit : out->values) {
        if (lit.kind == ValueKind::kString) {
          out->string_set.insert(out->ignore_case ? absl::AsciiStrToLower(lit.s) : lit.s);
        }
      }
    }
    if (out->op == Op::kIsIPAddressInCIDR) {
      for (size_t i = 0; i < out->values.size(); ++i) {
        const Literal& lit = out->values[i];
        auto net = lit.kind == ValueKind::kString ? ParseIpNetwork(lit.s) : std::nullopt;
        if (!net) {
          Error(node.operands[i].location, absl::StrCat("\"", lit.s, "\" is not an IP network (CIDR such as 10.0.0.0/8)"));
          return false;
        }
        out->networks.push_back(*net);
      }
    }
    if (out->op == Op::kMatches && !out->values.empty()) {
      const ast::Location& at = node.operands[0].location;
      RE2::Options re_options;
      re_options.set_log_errors(false);
      re_options.set_max_mem(options_.max_regex_memory_bytes);
      re_options.set_case_sensitive(!out->ignore_case);
      auto re = std::make_shared<const RE2>(re2::StringPiece(out->values[0].s), re_options);
      if (!re->ok()) {
        Error(at, absl::StrCat("bad regular expression: ", re->error()));
        return false;
      }
      if (re->ProgramSize() > options_.max_regex_program_size) {
        Error(at, absl::StrCat("regular expression too large: program size ", re->ProgramSize(),
                               " exceeds max_regex_program_size ", options_.max_regex_program_size));
        return false;
      }
      out->regex = std::move(re);
    }
    return true;
  }

  const EngineOptions& options_;
  const ast::SourceFiles& files_;
  std::vector<RuleIssue>* issues_;
};

}  // namespace

bool CompileNodes(std::vector<ast::Node> nodes, const EngineOptions& options, const ast::SourceFiles& files,
                  std::vector<RuleIssue>* issues, std::vector<Expr>* out) {
  return NodeCompiler(options, files, issues).List(nodes, out);
}

std::unique_ptr<CompiledRule> CompileRule(ast::Rule rule, const EngineOptions& options, const ast::SourceFiles& files,
                                          std::vector<RuleIssue>* issues) {
  NodeCompiler c(options, files, issues);
  auto out = std::make_unique<CompiledRule>();
  // In the order the Panther parser reads them, so the issues come in the same order as before the split.
  bool ok = c.List(rule.detection, &out->detection);
  ok = c.List(rule.inline_filters, &out->inline_filters) && ok;
  for (ast::AlertField& field : rule.alert_fields) {
    AlertField compiled;
    compiled.name = std::move(field.name);
    compiled.list = std::move(field.list);
    compiled.element = std::move(field.element);
    ok = c.List(field.filter, &compiled.filter) && ok;
    compiled.separator = std::move(field.separator);
    compiled.default_text = std::move(field.default_text);
    out->alert_fields.push_back(std::move(compiled));
  }
  ok = c.Variants(rule.titles, &out->titles) && ok;
  ok = c.Variants(rule.dedups, &out->dedups) && ok;
  ok = c.Variants(rule.dynamic_severities, &out->dynamic_severities) && ok;
  if (!ok) return nullptr;
  out->info = std::move(rule.info);
  out->group_by = std::move(rule.group_by);
  out->alert_context = std::move(rule.alert_context);
  out->summary_paths = std::move(rule.summary_paths);
  out->distinct_path = std::move(rule.distinct_path);
  return out;
}

}  // namespace detect::engine_internal
