// ThresholdDistinctField (extension): the key's forms (a KeyPath string or a key spec mapping), its errors at the
// rule author's file:line:col, and the value each match carries (Python str(); empty when missing or null).
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/engine_fixtures.h"

namespace detect {
namespace {

using ::testing::HasSubstr;

using test_support::kMatchAll;

// The one match of `event` for a match-all rule with `extra` keys.
Match OnlyMatch(const std::string& extra, const std::string& event) {
  return test_support::OnlyMatch(test_support::RuleWithDetection(kMatchAll, extra), event);
}

TEST(ThresholdDistinctFieldTest, KeyPathStringIsCarriedOnTheRuleAndRenderedPerMatch) {
  const std::string extra = "Threshold: 15\nThresholdDistinctField: objectRef.name\n";
  auto rules = test_support::MustCompile(test_support::RuleWithDetection(kMatchAll, extra));
  ASSERT_NE(rules, nullptr);
  EXPECT_EQ(rules->rule(0).threshold, 15);
  EXPECT_EQ(rules->rule(0).threshold_distinct_field, "objectRef.name");
  EvalResult r = test_support::EvalJson(*rules, R"({"objectRef":{"name":"db-credentials"}})");
  ASSERT_EQ(r.matches.size(), 1u);
  EXPECT_EQ(r.matches[0].distinct_value, "db-credentials");
}

TEST(ThresholdDistinctFieldTest, ValuesArePythonStrAndMissingOrNullIsEmpty) {
  const std::string extra = "ThresholdDistinctField: a.b\n";
  EXPECT_EQ(OnlyMatch(extra, R"({"a":{"b":7}})").distinct_value, "7");
  EXPECT_EQ(OnlyMatch(extra, R"({"a":{"b":true}})").distinct_value, "True");
  EXPECT_EQ(OnlyMatch(extra, R"({"a":{"b":""}})").distinct_value, "");
  EXPECT_EQ(OnlyMatch(extra, R"({"a":{"b":null}})").distinct_value, "");
  EXPECT_EQ(OnlyMatch(extra, R"({"a":{}})").distinct_value, "");
  EXPECT_EQ(OnlyMatch(extra, R"({})").distinct_value, "");
}

TEST(ThresholdDistinctFieldTest, KeySpecMappingFormsAreAccepted) {
  EXPECT_EQ(OnlyMatch("ThresholdDistinctField: {Key: name}\n", R"({"name":"x"})").distinct_value, "x");
  EXPECT_EQ(OnlyMatch("ThresholdDistinctField: {DeepKey: [a, 0, b]}\n", R"({"a":[{"b":"y"}]})").distinct_value, "y");
  EXPECT_EQ(OnlyMatch("ThresholdDistinctField: {KeyPath: a.b}\n", R"({"a":{"b":"z"}})").distinct_value, "z");
}

TEST(ThresholdDistinctFieldTest, WithoutTheKeyMatchesCarryNoValue) {
  EXPECT_EQ(OnlyMatch("Threshold: 3\n", R"({"objectRef":{"name":"x"}})").distinct_value, "");
}

// RuleWithDetection puts `extra` at line 9; the value of `ThresholdDistinctField: ` starts at column 25.
TEST(ThresholdDistinctFieldTest, BadPathIsAnErrorAtItsLocation) {
  CompileResult r = test_support::CompileText(test_support::RuleWithDetection(kMatchAll, "ThresholdDistinctField: a[\n"));
  EXPECT_FALSE(r.IsValid());
  EXPECT_THAT(r.FormatIssues(), HasSubstr("ERROR: rule.yml:9:25: ThresholdDistinctField: unclosed '['"));
}

TEST(ThresholdDistinctFieldTest, WildcardIsAnError) {
  CompileResult r =
      test_support::CompileText(test_support::RuleWithDetection(kMatchAll, "ThresholdDistinctField: a[*].name\n"));
  EXPECT_FALSE(r.IsValid());
  EXPECT_THAT(r.FormatIssues(), HasSubstr("rule.yml:9:25: ThresholdDistinctField \"a[*].name\" has [*]"));
}

TEST(ThresholdDistinctFieldTest, WholeEventIsAnError) {
  CompileResult r = test_support::CompileText(test_support::RuleWithDetection(kMatchAll, "ThresholdDistinctField: $\n"));
  EXPECT_FALSE(r.IsValid());
  EXPECT_THAT(r.FormatIssues(), HasSubstr("rule.yml:9:25: ThresholdDistinctField must name a field"));
}

TEST(ThresholdDistinctFieldTest, ListOrBadMappingIsAnError) {
  CompileResult list = test_support::CompileText(test_support::RuleWithDetection(kMatchAll, "ThresholdDistinctField: [a, b]\n"));
  EXPECT_FALSE(list.IsValid());
  EXPECT_THAT(list.FormatIssues(), HasSubstr("rule.yml:9:25: ThresholdDistinctField must be a field path"));
  CompileResult map = test_support::CompileText(test_support::RuleWithDetection(kMatchAll, "ThresholdDistinctField: {Nope: a}\n"));
  EXPECT_FALSE(map.IsValid());
  EXPECT_THAT(map.FormatIssues(), HasSubstr("rule.yml:9:25: ThresholdDistinctField needs one of Key, KeyPath"));
}

TEST(ThresholdDistinctFieldTest, MisspelledKeyIsAnUnknownKeyAtItsLocation) {
  EngineOptions options;
  options.reject_unknown_keys = true;
  CompileResult r = test_support::CompileText(
      test_support::RuleWithDetection(kMatchAll, "ThresholdDistinctFeild: objectRef.name\n"), "rule.yml", options);
  EXPECT_FALSE(r.IsValid());
  EXPECT_THAT(r.FormatIssues(), HasSubstr("ERROR: rule.yml:9:1: unknown key \"ThresholdDistinctFeild\""));
}

}  // namespace
}  // namespace detect
