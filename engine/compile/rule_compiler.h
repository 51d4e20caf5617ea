// RuleCompiler: one rule's AST (engine/parse/rule_ast.h) to its evaluation plan (CompiledRule with Expr trees):
// operands become literal values, string sets for IsIn/Intersects, CIDR network lists and compiled RE2
// programs (bounded by max_regex_memory_bytes and max_regex_program_size). Every rule dialect's front end feeds
// it; what it rejects (a bad regular expression or CIDR) is reported at the operand's file:line:col.
// Path interning for the whole rule set is path_interner.h's job, after this.
#ifndef DETECT_ENGINE_COMPILE_RULE_COMPILER_H_
#define DETECT_ENGINE_COMPILE_RULE_COMPILER_H_

#include <memory>
#include <vector>

#include "engine/internal/compiled_rule.h"
#include "engine/internal/expr.h"
#include "engine/options.h"
#include "engine/parse/rule_ast.h"
#include "engine/source_location.h"

namespace detect::engine_internal {

// Compiles `rule`, appending an issue for each operand it rejects. Null when any was rejected (the whole rule
// is checked, so every mistake is reported at once). `files` resolves the AST's locations.
std::unique_ptr<CompiledRule> CompileRule(ast::Rule rule, const EngineOptions& options, const ast::SourceFiles& files,
                                          std::vector<RuleIssue>* issues);

// Compiles a list of detection nodes into `out` (those that compile); false when any node was rejected.
bool CompileNodes(std::vector<ast::Node> nodes, const EngineOptions& options, const ast::SourceFiles& files,
                  std::vector<RuleIssue>* issues, std::vector<Expr>* out);

}  // namespace detect::engine_internal

#endif  // DETECT_ENGINE_COMPILE_RULE_COMPILER_H_
