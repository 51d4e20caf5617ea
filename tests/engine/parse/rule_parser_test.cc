// The Panther front end alone: YAML rule text to the rule AST (engine/parse/rule_ast.h), without compiling it.
// Shapes become nodes with typed operands, DataModel and Enrichment keys become paths, locations are a file index
// plus line and column, and what the front end rejects is reported while what it cannot judge is left to the
// compiler (a bad regular expression parses).
#include <memory>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "engine/options.h"
#include "engine/parse/rule_ast.h"
#include "engine/parse/rule_parser.h"
#include "engine/parse/yaml_file.h"

namespace detect::engine_internal {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

struct Parsed {
  std::unique_ptr<ast::Rule> rule;
  bool ok = false;
  std::vector<RuleIssue> issues;
};

// Parses `text` as the second file of a rule set (index 1), with `models` as the data models.
Parsed Parse(const std::string& text, const DataModels& models = {}) {
  Parsed p;
  const ParsedFile file = LoadYamlFile("rules/r.yml", text, 64, &p.issues);
  EXPECT_TRUE(file.ok) << (p.issues.empty() ? "" : p.issues[0].ToString());
  p.rule = ParseRule(file, 1, EngineOptions(), models, &p.issues, &p.ok);
  return p;
}

std::string Rule(const std::string& detection) {
  return "AnalysisType: rule\nRuleID: r\nSeverity: Low\nLogTypes: [Amazon.EKS.Audit]\nDetection:\n" + detection;
}

TEST(RuleParserTest, ConditionBecomesANodeWithTypedOperandsAndLocations) {
  Parsed p = Parse(Rule("  - KeyPath: objectRef.resource\n"
                        "    Condition: IIsNotIn\n"
                        "    Values: [Secrets, 3, true]\n"));
  ASSERT_TRUE(p.ok) << p.issues[0].ToString();
  ASSERT_EQ(p.rule->detection.size(), 1u);
  const ast::Node& n = p.rule->detection[0];
  EXPECT_EQ(n.op, Op::kIsIn);
  EXPECT_TRUE(n.negate);
  EXPECT_TRUE(n.ignore_case);
  EXPECT_EQ(n.condition_name, "IIsNotIn");
  EXPECT_EQ(n.field.text, "objectRef.resource");
  ASSERT_EQ(n.field.steps.size(), 2u);
  // The node is located at its Condition (line 7, column 16), in file 1 of the rule set.
  EXPECT_EQ(n.location.file, 1u);
  EXPECT_EQ(n.location.line, 7);
  EXPECT_EQ(n.location.column, 16);
  ASSERT_EQ(n.operands.size(), 3u);
  EXPECT_EQ(n.operands[0].value.kind, ValueKind::kString);
  EXPECT_EQ(n.operands[0].value.s, "Secrets");
  EXPECT_EQ(n.operands[1].value.kind, ValueKind::kInt);
  EXPECT_EQ(n.operands[2].value.kind, ValueKind::kBool);
  // Each operand keeps its own position, for the compiler's messages.
  EXPECT_EQ(n.operands[1].location.line, 8);
  EXPECT_EQ(n.operands[1].location.column, 23);
  EXPECT_EQ(p.rule->info.id, "r");
  EXPECT_EQ(p.rule->info.location.line, 2);
}

TEST(RuleParserTest, CombinatorsAndComprehensionsNest) {
  Parsed p = Parse(Rule("  - Any:\n"
                        "      - Key: verb\n"
                        "        Condition: Equals\n"
                        "        Value: create\n"
                        "      - KeyPath: requestObject.spec.containers\n"
                        "        Condition: AnyElement\n"
                        "        Expressions:\n"
                        "          - KeyPath: securityContext.privileged\n"
                        "            Condition: Equals\n"
                        "            Value: true\n"));
  ASSERT_TRUE(p.ok) << p.issues[0].ToString();
  ASSERT_EQ(p.rule->detection.size(), 1u);
  const ast::Node& any = p.rule->detection[0];
  EXPECT_EQ(any.op, Op::kAny);
  EXPECT_EQ(any.location.line, 6);
  ASSERT_EQ(any.children.size(), 2u);
  EXPECT_EQ(any.children[0].op, Op::kEquals);
  const ast::Node& each = any.children[1];
  EXPECT_EQ(each.op, Op::kAnyElement);
  EXPECT_EQ(each.field.text, "requestObject.spec.containers");
  ASSERT_EQ(each.children.size(), 1u);
  EXPECT_EQ(each.children[0].field.text, "securityContext.privileged");
  EXPECT_TRUE(each.children[0].operands[0].value.b);
}

TEST(RuleParserTest, ListEqualityIsOneListOperand) {
  Parsed p = Parse(Rule("  - Key: sourceIPs\n    Condition: Equals\n    Value: [127.0.0.1, 10.0.0.1]\n"));
  ASSERT_TRUE(p.ok);
  const ast::Node& n = p.rule->detection[0];
  ASSERT_EQ(n.operands.size(), 1u);
  EXPECT_EQ(n.operands[0].value.kind, ValueKind::kList);
  EXPECT_EQ(n.operands[0].value.list.size(), 2u);
}

TEST(RuleParserTest, DataModelAndEnrichmentKeysBecomePaths) {
  DataModels models;
  auto path = ParseKeyPath("user.username");
  ASSERT_TRUE(path.ok());
  models["Amazon.EKS.Audit"]["actor"] = *path;
  Parsed p = Parse(Rule("  - DataModel: actor\n    Condition: Equals\n    Value: admin\n"
                        "  - Enrichment: {Table: t, Selector: sourceIPs, FieldPath: owner.team}\n"
                        "    Condition: Exists\n"),
                   models);
  ASSERT_TRUE(p.ok) << p.issues[0].ToString();
  ASSERT_EQ(p.rule->detection.size(), 2u);
  EXPECT_EQ(p.rule->detection[0].field.text, "user.username");
  EXPECT_EQ(p.rule->detection[1].field.text, "p_enrichment.t.sourceIPs.owner.team");
  EXPECT_EQ(p.rule->detection[1].field.steps.size(), 5u);
}

TEST(RuleParserTest, MultiKeyComparisonFillsBothFields) {
  Parsed p = Parse(Rule("  - Condition: Equals\n    Values:\n      - Key: a\n      - KeyPath: b.c\n"));
  ASSERT_TRUE(p.ok) << p.issues[0].ToString();
  const ast::Node& n = p.rule->detection[0];
  EXPECT_TRUE(n.multi_key);
  EXPECT_EQ(n.field.text, "a");
  EXPECT_EQ(n.other_field.text, "b.c");
  EXPECT_THAT(n.operands, IsEmpty());
}

TEST(RuleParserTest, ShapeErrorsAreTheFrontEndsAndTheRestOfTheRuleStillParses) {
  Parsed p = Parse(Rule("  - Key: verb\n    Condition: IsGreaterThan\n    Value: five\n"
                        "  - Key: verb\n    Condition: Equals\n    Value: get\n"));
  EXPECT_FALSE(p.ok);
  ASSERT_EQ(p.issues.size(), 1u);
  EXPECT_EQ(p.issues[0].location.ToString(), "rules/r.yml:8:12");
  EXPECT_THAT(p.issues[0].message, HasSubstr("IsGreaterThan needs a number as Value"));
  // The expression that was right is in the AST (the compiler still checks it); the wrong one is not.
  ASSERT_NE(p.rule, nullptr);
  ASSERT_EQ(p.rule->detection.size(), 1u);
  EXPECT_EQ(p.rule->detection[0].operands[0].value.s, "get");
}

TEST(RuleParserTest, RegularExpressionsAreLeftToTheCompiler) {
  Parsed p = Parse(Rule("  - Key: verb\n    Condition: Matches\n    Value: \"(unclosed\"\n"));
  EXPECT_TRUE(p.ok);
  EXPECT_THAT(p.issues, IsEmpty());
  EXPECT_EQ(p.rule->detection[0].op, Op::kMatches);
  EXPECT_EQ(p.rule->detection[0].operands[0].value.s, "(unclosed");
}

TEST(RuleParserTest, AlertFieldsAndVariantsParseIntoTheAst) {
  Parsed p = Parse(Rule("  - Key: verb\n    Condition: Exists\n") +
                   "AlertTitle:\n"
                   "  - Template: \"{verb} by {@users}\"\n"
                   "    Conditions:\n"
                   "      - Key: verb\n        Condition: Equals\n        Value: delete\n"
                   "  - Template: \"{verb}\"\n"
                   "AlertFields:\n"
                   "  users: {Join: items, Template: \"{name}\", Filter: [{Key: name, Condition: Exists}]}\n"
                   "GroupBy:\n  - Key: verb\n"
                   "ThresholdDistinctField: objectRef.name\n");
  ASSERT_TRUE(p.ok) << p.issues[0].ToString();
  ASSERT_EQ(p.rule->titles.size(), 2u);
  EXPECT_EQ(p.rule->titles[0].conditions.size(), 1u);
  EXPECT_THAT(p.rule->titles[1].conditions, IsEmpty());
  ASSERT_EQ(p.rule->alert_fields.size(), 1u);
  EXPECT_EQ(p.rule->alert_fields[0].name, "users");
  EXPECT_EQ(p.rule->alert_fields[0].filter.size(), 1u);
  // `{@users}` already points at its AlertFields entry.
  bool resolved = false;
  for (const TemplatePart& part : p.rule->titles[0].value.parts) {
    if (part.alert_field == "users") resolved = part.alert_field_index == 0;
  }
  EXPECT_TRUE(resolved);
  ASSERT_EQ(p.rule->group_by.size(), 1u);
  EXPECT_EQ(p.rule->group_by[0].text, "verb");
  EXPECT_EQ(p.rule->distinct_path.text, "objectRef.name");
}

TEST(RuleParserTest, PythonRuleHasNoAst) {
  Parsed p = Parse("AnalysisType: rule\nRuleID: r\nSeverity: Low\nFilename: r.py\n");
  EXPECT_EQ(p.rule, nullptr);
  EXPECT_FALSE(p.ok);
  ASSERT_EQ(p.issues.size(), 1u);
  EXPECT_THAT(p.issues[0].message, HasSubstr("Python rule"));
}

TEST(SourceFilesTest, HoldsEachNameOnceAndResolvesLocations) {
  ast::SourceFiles files;
  EXPECT_EQ(files.Add("a.yml"), 0u);
  EXPECT_EQ(files.Add("b.yml"), 1u);
  const SourceLocation loc = files.Resolve({1, 3, 7});
  EXPECT_EQ(loc.ToString(), "b.yml:3:7");
}

}  // namespace
}  // namespace detect::engine_internal
