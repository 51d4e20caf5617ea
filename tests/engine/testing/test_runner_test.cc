// The offline rule-test runner and its printers: results as data, failures for wrong titles/dedup/severity,
// load errors that fail the run, and machine-readable JSON and JUnit output.
#include <filesystem>
#include <fstream>
#include <string>

#include "engine/json_event.h"
#include "engine/testing/test_report.h"
#include "engine/testing/test_runner.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace detect {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

class TestRunnerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("detect_runner_" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  void Write(const std::string& name, const std::string& text) { std::ofstream(dir_ / name) << text; }
  TestReport Run() { return RunRuleTests({dir_.string()}, EngineOptions()); }

  fs::path dir_;
};

constexpr char kRule[] = R"(AnalysisType: rule
RuleID: t.rule
Enabled: true
LogTypes: [Amazon.EKS.Audit]
Severity: Low
Detection:
  - {Key: verb, Condition: Equals, Value: create}
AlertTitle: "created by {user}"
DynamicSeverities:
  - ChangeTo: High
    Conditions: [{Key: user, Condition: Equals, Value: root}]
AlertContext:
  - KeyName: who
    KeyValue: {Key: user}
Tests:
  - Name: match
    ExpectedResult: true
    ExpectedTitle: created by alice
    ExpectedDedup: created by alice
    ExpectedSeverity: Low
    ExpectedAlertContext: {who: alice}
    Log: {verb: create, user: alice}
  - Name: no match
    ExpectedResult: false
    Log: {verb: get}
)";

TEST_F(TestRunnerTest, PassingTests) {
  Write("rule.yml", kRule);
  TestReport report = Run();
  EXPECT_EQ(report.rules, 1u);
  EXPECT_EQ(report.tests, 2u);
  EXPECT_EQ(report.passed, 2u);
  EXPECT_TRUE(report.ok());
  EXPECT_THAT(FormatTestReportText(report), HasSubstr("\t[PASS] match\n\t\t[Title] created by alice\n"));
  EXPECT_THAT(FormatTestReportText(report), HasSubstr("2 passed, 0 failed"));
}

TEST_F(TestRunnerTest, WrongTitleDedupSeverityAndContextFail) {
  std::string rule = kRule;
  rule.replace(rule.find("ExpectedTitle: created by alice"), 31, "ExpectedTitle: created by bob");
  rule.replace(rule.find("ExpectedSeverity: Low"), 21, "ExpectedSeverity: High");
  rule.replace(rule.find("{who: alice}"), 12, "{who: eve}");
  Write("rule.yml", rule);
  TestReport report = Run();
  EXPECT_EQ(report.failed, 1u);
  EXPECT_FALSE(report.ok());
  const TestCaseResult& r = report.results[0];
  EXPECT_THAT(r.failures, ::testing::ElementsAre(
                              "title: expected \"created by bob\", got \"created by alice\"",
                              "severity: expected High, got Low",
                              "alert context: expected {\"who\":\"eve\"}, got {\"who\":\"alice\"}"));
}

TEST_F(TestRunnerTest, WrongResultFails) {
  std::string rule = kRule;
  rule.replace(rule.find("Log: {verb: get}"), 16, "Log: {verb: create}");
  Write("rule.yml", rule);
  TestReport report = Run();
  EXPECT_EQ(report.failed, 1u);
  EXPECT_THAT(report.results[1].failures, ::testing::ElementsAre("expected result false, got true"));
}

TEST_F(TestRunnerTest, RuleThatFailsToLoadFailsTheRun) {
  Write("rule.yml", kRule);
  Write("broken.yml", "AnalysisType: rule\nRuleID: broken\nSeverity: Low\nDetection: [{Condition: Nope}]\n");
  TestReport report = Run();
  EXPECT_EQ(report.passed, 2u);
  EXPECT_EQ(report.errors(), 1u);
  EXPECT_FALSE(report.ok());
  EXPECT_THAT(FormatTestReportText(report), HasSubstr("errors: 1"));
}

TEST_F(TestRunnerTest, JsonReportIsOneObject) {
  Write("rule.yml", kRule);
  Write("broken.yml", "AnalysisType: rule\nRuleID: broken\nSeverity: Low\nDetection: [{Condition: Nope}]\n");
  const std::string json = FormatTestReportJson(Run());
  JsonEventParser parser;
  auto v = parser.Parse(json);
  ASSERT_TRUE(v.ok()) << v.status() << "\n" << json;
  EXPECT_EQ(v->Get("rules").int_value(), 1);
  EXPECT_EQ(v->Get("tests").int_value(), 2);
  EXPECT_EQ(v->Get("passed").int_value(), 2);
  EXPECT_EQ(v->Get("failed").int_value(), 0);
  EXPECT_EQ(v->Get("errors").int_value(), 1);
  EXPECT_EQ(v->Get("results").At(0).Get("title").string_value(), "created by alice");
  EXPECT_EQ(v->Get("issues").At(0).Get("line").int_value(), 4);
}

TEST_F(TestRunnerTest, JunitReport) {
  std::string rule = kRule;
  rule.replace(rule.find("Log: {verb: get}"), 16, "Log: {verb: create}");
  Write("rule.yml", rule);
  const std::string xml = FormatTestReportJunit(Run());
  EXPECT_THAT(xml, HasSubstr("<testsuite name=\"t.rule\" tests=\"2\" failures=\"1\">"));
  EXPECT_THAT(xml, HasSubstr("<failure message=\"expected result false, got true\"/>"));
}

}  // namespace
}  // namespace detect
