// Rule analysis: the seed rule's `describe` output against a golden file (it must show at least what the seed
// catalog page shows, plus what that page's parser could not extract), indicator sharing, MITRE coverage.
#include <fstream>
#include <string>

#include "engine/analysis/mitre_attack.h"
#include "engine/analysis/rule_analysis.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/engine_fixtures.h"

namespace detect {
namespace {

using ::testing::HasSubstr;

using test_support::ReadWholeFile;

std::shared_ptr<const RuleSet> LoadSeedRule() { return test_support::LoadBundledRule("anonymous_api_access.yml"); }

// DETECT_UPDATE_BASELINES=1 rewrites the golden file.
TEST(DescribeTest, SeedRuleMatchesGolden) {
  auto rules = LoadSeedRule();
  ASSERT_NE(rules, nullptr);
  const std::string actual = FormatRuleAnalysisText(AnalyzeRule(*rules, 0));
  const std::string golden = test_support::SourcePath("tests/testdata/describe_anonymous_api_access.golden");
  if (std::getenv("DETECT_UPDATE_BASELINES") != nullptr) {
    std::ofstream(golden) << actual;
    GTEST_SKIP() << "golden rewritten";
  }
  EXPECT_EQ(actual, ReadWholeFile(golden)) << "actual:\n" << actual;
}

TEST(DescribeTest, SeedRuleShowsTheCatalogPageRows) {
  auto rules = LoadSeedRule();
  ASSERT_NE(rules, nullptr);
  const RuleAnalysis a = AnalyzeRule(*rules, 0);
  ASSERT_EQ(a.mitre.size(), 1u);
  EXPECT_EQ(a.mitre[0].tactic_name, "Initial Access");
  EXPECT_EQ(a.mitre[0].technique_name, "Exploit Public-Facing Application");
  // The page's condition, exclusion and indicator rows...
  EXPECT_THAT(a.condition, ::testing::Contains(HasSubstr("userAgent eq \"ELB-HealthChecker/2.0\"")));
  EXPECT_THAT(a.condition, ::testing::Contains("user.username eq \"system:anonymous\""));
  const std::string text = FormatRuleAnalysisText(a);
  EXPECT_THAT(text, HasSubstr("| userAgent | eq | \"ELB-HealthChecker/2.0\" |"));
  EXPECT_THAT(text, HasSubstr("| user.username | eq | \"system:anonymous\" |"));
  EXPECT_THAT(a.output_fields, ::testing::Contains("requestURI"));
  // ...and what the page's parser could not extract from the Python rule.
  EXPECT_THAT(text, HasSubstr("| sourceIPs | eq | [\"127.0.0.1\"] |"));
  EXPECT_THAT(text, HasSubstr("| sourceIPs[0] | ip_private |"));
}

TEST(DescribeTest, CountsOtherRulesSharingAnIndicator) {
  RuleSetBuilder builder;
  for (const char* id : {"a", "b", "c"}) {
    builder.AddFile(std::string(id) + ".yml",
                    std::string("AnalysisType: rule\nRuleID: ") + id +
                        "\nSeverity: Low\nDetection:\n  - {KeyPath: user.username, Condition: Equals, Value: "
                        "'system:anonymous'}\n" +
                        (std::string(id) == "c" ? "  - {Key: verb, Condition: Equals, Value: get}\n" : ""));
  }
  CompileResult r = std::move(builder).Build();
  auto rules = r.ReleaseRuleSet();
  ASSERT_NE(rules, nullptr);
  const RuleAnalysis c = AnalyzeRule(*rules, rules->FindRule("c"));
  ASSERT_EQ(c.indicators.size(), 2u);
  EXPECT_EQ(c.indicators[0].other_rules, 2);
  EXPECT_EQ(c.indicators[1].other_rules, 0);
}

TEST(CoverageTest, MatrixNamesTacticsAndTechniques) {
  auto rules = LoadSeedRule();
  ASSERT_NE(rules, nullptr);
  EXPECT_THAT(FormatCoverageText(*rules),
              HasSubstr("| TA0001 Initial Access | T1190 Exploit Public-Facing Application | "
                        "Amazon.EKS.AnonymousAPIAccess |"));
  JsonEventParser parser;
  auto v = parser.Parse(FormatCoverageJson(*rules));
  ASSERT_TRUE(v.ok()) << v.status();
  EXPECT_EQ(v->Get("tactics").At(0).Get("techniques").At(0).Get("rules").At(0).string_value(),
            "Amazon.EKS.AnonymousAPIAccess");
}

TEST(MitreTest, KnownAndUnknownIds) {
  EXPECT_EQ(MitreTacticName("TA0004"), "Privilege Escalation");
  EXPECT_EQ(MitreTechniqueName("T1611"), "Escape to Host");
  EXPECT_EQ(MitreTechniqueName("T9999"), "");
}

}  // namespace
}  // namespace detect
