// The compiler alone: rule ASTs built by hand (as any dialect's front end would build them) to the evaluation
// plan: literal values, string sets, CIDR networks, RE2 programs, and the operand-level errors at file:line:col.
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "engine/compile/rule_compiler.h"
#include "engine/options.h"
#include "engine/parse/rule_ast.h"

namespace detect::engine_internal {
namespace {

using ::testing::HasSubstr;
using ::testing::IsEmpty;

Literal Str(std::string s) {
  Literal lit;
  lit.kind = ValueKind::kString;
  lit.s = std::move(s);
  return lit;
}

ast::Node Condition(Op op, const std::string& name, std::vector<Literal> values, uint32_t file = 0, int line = 1) {
  ast::Node n;
  n.op = op;
  n.condition_name = name;
  n.location = {file, line, 5};
  n.field = KeyPathFromKey("verb");
  int column = 10;
  for (Literal& v : values) n.operands.push_back({std::move(v), {file, line, column++}});
  return n;
}

class RuleCompilerTest : public ::testing::Test {
 protected:
  RuleCompilerTest() {
    files_.Add("a.yml");
    files_.Add("rules/b.yml");
  }
  std::vector<Expr> Compile(std::vector<ast::Node> nodes, bool expect_ok = true) {
    std::vector<Expr> out;
    EXPECT_EQ(CompileNodes(std::move(nodes), options_, files_, &issues_, &out), expect_ok);
    return out;
  }
  EngineOptions options_;
  ast::SourceFiles files_;
  std::vector<RuleIssue> issues_;
};

TEST_F(RuleCompilerTest, ConditionKeepsItsShapeAndPosition) {
  ast::Node n = Condition(Op::kEquals, "DoesNotEqual", {Str("get")}, 1, 12);
  n.negate = true;
  std::vector<Expr> out = Compile({std::move(n)});
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].op, Op::kEquals);
  EXPECT_TRUE(out[0].negate);
  EXPECT_EQ(out[0].condition_name, "DoesNotEqual");
  EXPECT_EQ(out[0].path.text, "verb");
  EXPECT_EQ(out[0].line, 12);
  EXPECT_EQ(out[0].column, 5);
  ASSERT_EQ(out[0].values.size(), 1u);
  EXPECT_EQ(out[0].values[0].s, "get");
  EXPECT_THAT(issues_, IsEmpty());
}

TEST_F(RuleCompilerTest, IsInBuildsAStringSetLowercasedWhenIgnoringCase) {
  ast::Node n = Condition(Op::kIsIn, "IIsIn", {Str("Secrets"), Str("ConfigMaps")});
  n.ignore_case = true;
  Literal number;
  number.kind = ValueKind::kInt;
  number.i = 3;
  n.operands.push_back({number, {}});
  std::vector<Expr> out = Compile({std::move(n)});
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].string_set.size(), 2u);
  EXPECT_TRUE(out[0].string_set.contains("secrets"));
  EXPECT_TRUE(out[0].string_set.contains("configmaps"));
  EXPECT_EQ(out[0].values.size(), 3u);  // The number stays a value (compared as Python would).
}

TEST_F(RuleCompilerTest, CidrOperandsBecomeNetworks) {
  std::vector<Expr> out = Compile({Condition(Op::kIsIPAddressInCIDR, "IsIPAddressInCIDR", {Str("10.0.0.0/8"), Str("::1/128")})});
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].networks.size(), 2u);
}

TEST_F(RuleCompilerTest, BadCidrIsReportedAtItsOperand) {
  Compile({Condition(Op::kIsIPAddressInCIDR, "IsIPAddressInCIDR", {Str("10.0.0.0/8"), Str("ten")}, 1, 4)},
          /*expect_ok=*/false);
  ASSERT_EQ(issues_.size(), 1u);
  EXPECT_EQ(issues_[0].location.ToString(), "rules/b.yml:4:11");
  EXPECT_EQ(issues_[0].message, "\"ten\" is not an IP network (CIDR such as 10.0.0.0/8)");
}

TEST_F(RuleCompilerTest, MatchesCompilesRe2HonouringIgnoreCase) {
  ast::Node n = Condition(Op::kMatches, "IMatches", {Str("^system:.*")});
  n.ignore_case = true;
  std::vector<Expr> out = Compile({std::move(n)});
  ASSERT_EQ(out.size(), 1u);
  ASSERT_NE(out[0].regex, nullptr);
  EXPECT_TRUE(RE2::FullMatch("SYSTEM:node", *out[0].regex));
}

TEST_F(RuleCompilerTest, BadAndOversizedRegularExpressionsAreRuleErrors) {
  options_.max_regex_program_size = 50;
  Compile({Condition(Op::kMatches, "Matches", {Str("(unclosed")}, 0, 2),
           Condition(Op::kMatches, "Matches", {Str("(a|b|c|d|e|f){20}")}, 0, 3),
           Condition(Op::kMatches, "Matches", {Str("fine")}, 0, 4)},
          /*expect_ok=*/false);
  ASSERT_EQ(issues_.size(), 2u);
  EXPECT_EQ(issues_[0].location.ToString(), "a.yml:2:10");
  EXPECT_THAT(issues_[0].message, HasSubstr("bad regular expression: missing )"));
  EXPECT_EQ(issues_[1].location.ToString(), "a.yml:3:10");
  EXPECT_THAT(issues_[1].message, HasSubstr("exceeds max_regex_program_size 50"));
}

TEST_F(RuleCompilerTest, AnErrorInAChildFailsItsCombinatorButSiblingsAreStillChecked) {
  ast::Node all;
  all.op = Op::kAll;
  all.condition_name = "All";
  all.children.push_back(Condition(Op::kMatches, "Matches", {Str("[")}, 0, 2));
  all.children.push_back(Condition(Op::kEquals, "Equals", {Str("x")}, 0, 3));
  std::vector<Expr> out = Compile({std::move(all), Condition(Op::kIsIPAddressInCIDR, "IsIPAddressInCIDR", {Str("x")}, 0, 5)},
                                  /*expect_ok=*/false);
  EXPECT_THAT(out, IsEmpty());
  ASSERT_EQ(issues_.size(), 2u);
  EXPECT_EQ(issues_[0].location.line, 2);
  EXPECT_EQ(issues_[1].location.line, 5);
}

TEST_F(RuleCompilerTest, RuleCarriesMetadataAndAlertFieldsIntoThePlan) {
  ast::Rule rule;
  rule.info.id = "r";
  rule.info.location = {"a.yml", 2, 9};
  rule.detection.push_back(Condition(Op::kExists, "Exists", {}));
  ast::Variant<Severity> high;
  high.value = Severity::kHigh;
  high.conditions.push_back(Condition(Op::kEquals, "Equals", {Str("delete")}));
  rule.dynamic_severities.push_back(std::move(high));
  ast::AlertField users;
  users.name = "users";
  users.filter.push_back(Condition(Op::kIsIn, "IsIn", {Str("a")}));
  rule.alert_fields.push_back(std::move(users));
  rule.group_by.push_back(KeyPathFromKey("verb"));
  std::unique_ptr<CompiledRule> compiled = CompileRule(std::move(rule), options_, files_, &issues_);
  ASSERT_NE(compiled, nullptr);
  EXPECT_EQ(compiled->info.id, "r");
  EXPECT_EQ(compiled->detection.size(), 1u);
  ASSERT_EQ(compiled->dynamic_severities.size(), 1u);
  EXPECT_EQ(compiled->dynamic_severities[0].value, Severity::kHigh);
  EXPECT_EQ(compiled->dynamic_severities[0].conditions.size(), 1u);
  ASSERT_EQ(compiled->alert_fields.size(), 1u);
  EXPECT_TRUE(compiled->alert_fields[0].filter[0].string_set.contains("a"));
  EXPECT_EQ(compiled->group_by.size(), 1u);
}

TEST_F(RuleCompilerTest, RuleWithABadOperandAnywhereIsNotCompiled) {
  ast::Rule rule;
  rule.info.id = "r";
  rule.detection.push_back(Condition(Op::kExists, "Exists", {}));
  ast::Variant<AlertTemplate> title;
  title.conditions.push_back(Condition(Op::kMatches, "Matches", {Str("(")}, 1, 9));
  rule.titles.push_back(std::move(title));
  EXPECT_EQ(CompileRule(std::move(rule), options_, files_, &issues_), nullptr);
  ASSERT_EQ(issues_.size(), 1u);
  EXPECT_EQ(issues_[0].location.ToString(), "rules/b.yml:9:10");
}

}  // namespace
}  // namespace detect::engine_internal
