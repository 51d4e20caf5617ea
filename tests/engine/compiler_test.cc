// Rule compilation: golden error messages for broken rules (tests/testdata/broken_rules/*.yml against their
// .baseline files), and the builder's loading behaviour (directories, duplicates, skip vs abort, limits).
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/engine_fixtures.h"

namespace detect {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

using test_support::ReadWholeFile;

const std::string kBrokenDir = test_support::SourcePath("tests/testdata/broken_rules");

class GoldenErrorTest : public ::testing::TestWithParam<std::string> {};

// Set DETECT_UPDATE_BASELINES=1 to rewrite the .baseline files from the current output.
TEST_P(GoldenErrorTest, MatchesBaseline) {
  const fs::path rule = fs::path(kBrokenDir) / (GetParam() + ".yml");
  const fs::path baseline = fs::path(kBrokenDir) / (GetParam() + ".baseline");
  ASSERT_TRUE(fs::exists(rule)) << rule;
  RuleSetBuilder builder;
  // Named relative to the source tree, so baselines do not depend on where the tree is.
  builder.AddFile("tests/testdata/broken_rules/" + GetParam() + ".yml", ReadWholeFile(rule));
  CompileResult result = std::move(builder).Build();
  EXPECT_FALSE(result.IsValid());
  EXPECT_EQ(result.rule_set(), nullptr);
  const std::string actual = result.FormatIssues();
  if (std::getenv("DETECT_UPDATE_BASELINES") != nullptr) {
    std::ofstream(baseline) << actual;
    GTEST_SKIP() << "baseline rewritten: " << baseline;
  }
  ASSERT_TRUE(fs::exists(baseline)) << "missing " << baseline << "; actual output:\n" << actual;
  EXPECT_EQ(actual, ReadWholeFile(baseline)) << "actual output for " << rule << ":\n" << actual;
}

std::vector<std::string> BrokenRuleNames() {
  std::vector<std::string> names;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(kBrokenDir, ec)) {
    if (entry.path().extension() == ".yml") names.push_back(entry.path().stem().string());
  }
  std::sort(names.begin(), names.end());
  if (names.empty()) names.push_back("missing_testdata");  // Fails visibly instead of running nothing.
  return names;
}

INSTANTIATE_TEST_SUITE_P(BrokenRules, GoldenErrorTest, ::testing::ValuesIn(BrokenRuleNames()),
                         [](const ::testing::TestParamInfo<std::string>& info) { return info.param; });

constexpr char kGoodRule[] = R"(AnalysisType: rule
RuleID: good.rule
Enabled: true
LogTypes: [Amazon.EKS.Audit]
Severity: Low
Detection:
  - {Key: verb, Condition: Equals, Value: create}
)";

TEST(CompilerTest, OneBadRuleDoesNotHideOthersErrors) {
  RuleSetBuilder builder;
  builder.AddFile("a.yml", "AnalysisType: rule\nRuleID: a\nSeverity: Low\nDetection:\n  - Condition: Bogus\n");
  builder.AddFile("b.yml", "AnalysisType: rule\nRuleID: b\nSeverity: Nope\nDetection:\n  - Condition: AlwaysTrue\n");
  CompileResult r = std::move(builder).Build();
  EXPECT_THAT(r.FormatIssues(), HasSubstr("a.yml:5:16: unknown Condition \"Bogus\""));
  EXPECT_THAT(r.FormatIssues(), HasSubstr("b.yml:3:11: unknown Severity \"Nope\""));
  EXPECT_EQ(r.rule_set(), nullptr);
}

TEST(CompilerTest, SkipKeepsTheValidRules) {
  RuleSetBuilder builder;
  builder.AddFile("good.yml", kGoodRule);
  builder.AddFile("bad.yml", "AnalysisType: rule\nRuleID: bad\nSeverity: Low\nDetection: nope\n");
  CompileResult r = std::move(builder).Build(OnRuleError::kSkip);
  EXPECT_FALSE(r.IsValid());
  ASSERT_NE(r.rule_set(), nullptr);
  EXPECT_EQ(r.rule_set()->size(), 1u);
  EXPECT_EQ(r.rule_set()->rule(0).id, "good.rule");
}

TEST(CompilerTest, DuplicateRuleIdNamesTheFirstDefinition) {
  RuleSetBuilder builder;
  builder.AddFile("one.yml", kGoodRule);
  builder.AddFile("two.yml", kGoodRule);
  CompileResult r = std::move(builder).Build();
  EXPECT_THAT(r.FormatIssues(), HasSubstr("two.yml:2:9: duplicate RuleID \"good.rule\" (first defined at one.yml:2:9)"));
}

TEST(CompilerTest, ErrorsShowTheSourceLineWithACaret) {
  CompileResult r = test_support::CompileText(test_support::RuleWithDetection("  - Key: verb\n    Condition: Equalz\n    Value: x"));
  EXPECT_THAT(r.FormatIssues(), HasSubstr("9:16: unknown Condition \"Equalz\"\n        Condition: Equalz\n                   ^\n"));
}

TEST(CompilerTest, UnknownTopLevelKeyWarnsOrFailsWhenStrict) {
  const std::string yaml = std::string(kGoodRule) + "Typo: 1\n";
  CompileResult lenient = test_support::CompileText(yaml);
  EXPECT_TRUE(lenient.IsValid());
  EXPECT_THAT(lenient.FormatIssues(), HasSubstr("WARNING: rule.yml:8:1: unknown key \"Typo\" (ignored)"));
  EngineOptions strict;
  strict.reject_unknown_keys = true;
  EXPECT_FALSE(test_support::CompileText(yaml, "rule.yml", strict).IsValid());
}

TEST(CompilerTest, LoadsDirectoriesRecursivelySkippingHiddenEntries) {
  const fs::path dir = fs::temp_directory_path() / ("detect_compiler_test_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir / "sub");
  fs::create_directories(dir / "..2024_01_01");  // A Kubernetes ConfigMap's hidden data directory.
  std::ofstream(dir / "sub" / "good.yaml") << kGoodRule;
  std::ofstream(dir / "..2024_01_01" / "good.yml") << kGoodRule;  // Would be a duplicate if read.
  std::ofstream(dir / "notes.txt") << "not a rule";
  RuleSetBuilder builder;
  ASSERT_TRUE(builder.AddPath(dir.string()).ok());
  CompileResult r = std::move(builder).Build();
  EXPECT_TRUE(r.IsValid()) << r.FormatIssues();
  ASSERT_NE(r.rule_set(), nullptr);
  EXPECT_EQ(r.rule_set()->size(), 1u);
  fs::remove_all(dir);
}

TEST(CompilerTest, MissingPathIsAnIoError) {
  RuleSetBuilder builder;
  absl::Status s = builder.AddPath("/nonexistent/rules");
  EXPECT_EQ(s.code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(std::string(s.message()), HasSubstr("/nonexistent/rules"));
}

TEST(CompilerTest, VersionChangesWithContent) {
  auto a = test_support::MustCompile(kGoodRule);
  auto b = test_support::MustCompile(kGoodRule);
  auto c = test_support::MustCompile(std::string(kGoodRule) + "Description: changed\n");
  EXPECT_EQ(a->version(), b->version());
  EXPECT_NE(a->version(), c->version());
}

TEST(CompilerTest, MaxRulesIsEnforced) {
  EngineOptions options;
  options.max_rules = 1;
  RuleSetBuilder builder(options);
  builder.AddFile("a.yml", kGoodRule);
  std::string second = kGoodRule;
  second.replace(second.find("good.rule"), 9, "good.two");
  builder.AddFile("b.yml", second);
  CompileResult r = std::move(builder).Build();
  EXPECT_THAT(r.FormatIssues(), HasSubstr("2 rules exceed max_rules 1"));
}

TEST(CompilerTest, RefusesTextThatIsNotUtf8) {
  CompileResult r = test_support::CompileText(test_support::RuleWithDetection("  - Condition: AlwaysTrue", "AlertTitle: \"caf\xe9\"\n"));
  EXPECT_EQ(r.FormatIssues(), "ERROR: rule.yml:9:17: invalid YAML: the text is not valid UTF-8\n");
}

TEST(CompilerTest, RefusesNestingDeeperThanTheLimit) {
  CompileResult r = test_support::CompileText(test_support::RuleWithDetection("  - Condition: AlwaysTrue",
                                                                    "Extra: " + std::string(5000, '[') + "\n"));
  EXPECT_THAT(r.FormatIssues(), HasSubstr("invalid YAML: nested deeper than 1000 levels"));
}

TEST(CompilerTest, AliasesCannotExpandARuleWithoutBound) {
  // Each level doubles the tree: 2^30 expressions if expanded.
  std::string detection = "  - &e0 {Key: s, Condition: Equals, Value: x}\n";
  for (int i = 1; i <= 30; ++i) {
    detection += absl::StrCat("  - &e", i, " {All: [*e", i - 1, ", *e", i - 1, "]}\n");
  }
  CompileResult r = test_support::CompileText(test_support::RuleWithDetection(detection));
  // Refused before the tree is built (2^16 levels would be refused by max_rule_expressions: limits_test).
  EXPECT_THAT(r.FormatIssues(), HasSubstr("its aliases expand the document to more than 4194304 nodes"));
}

TEST(CompilerTest, AliasesCannotExpandATestLogWithoutBound) {
  std::string log = "      x0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n";
  for (int i = 1; i <= 9; ++i) {
    log += absl::StrCat("      x", i, ": &a", i, " [*a", i - 1, ", *a", i - 1, ", *a", i - 1, ", *a", i - 1, ", *a", i - 1,
                        ", *a", i - 1, ", *a", i - 1, ", *a", i - 1, ", *a", i - 1, ", *a", i - 1, "]\n");
  }
  CompileResult r = test_support::CompileText(test_support::RuleWithDetection(
      "  - Condition: AlwaysTrue", "Tests:\n  - Name: bomb\n    ExpectedResult: true\n    Log:\n" + log));
  // 10^10 strings: refused before the tree is built (10^6 hit max_event_bytes instead: limits_test).
  EXPECT_THAT(r.FormatIssues(), HasSubstr("its aliases expand the document to more than 4194304 nodes"));
}

TEST(CompilerTest, RegexProgramSizeIsLimited) {
  EngineOptions options;
  options.max_regex_program_size = 50;
  CompileResult r = test_support::CompileText(
      test_support::RuleWithDetection("  - Key: a\n    Condition: Matches\n    Value: '(a|b|c|d|e){20}'"), "rule.yml",
      options);
  EXPECT_THAT(r.FormatIssues(), HasSubstr("regular expression too large"));
}

}  // namespace
}  // namespace detect
