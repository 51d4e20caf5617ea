// Rule explain against golden files (tests/testdata/explain/NAME.txt and NAME.json): a match, a comparison
// that fails, an exclusion that fires, a comprehension explained element by element. DETECT_UPDATE_BASELINES=1
// rewrites the golden files; review the diff.
#include "engine/analysis/explain.h"

#include <cstdlib>
#include <fstream>
#include <string>

#include "engine/compiler.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/engine_fixtures.h"

namespace detect {
namespace {

using ::testing::HasSubstr;

using test_support::LoadBundledRule;
using test_support::ReadWholeFile;

void ExpectGolden(const std::string& name, const Explanation& x) {
  for (const auto& [ext, actual] : {std::pair<std::string, std::string>{".txt", FormatExplanationText(x)},
                                    std::pair<std::string, std::string>{".json", FormatExplanationJson(x)}}) {
    const std::string path = test_support::SourcePath("tests/testdata/explain/" + name + ext);
    if (std::getenv("DETECT_UPDATE_BASELINES") != nullptr) std::ofstream(path) << actual;
    EXPECT_EQ(actual, ReadWholeFile(path)) << path << " differs; DETECT_UPDATE_BASELINES=1 rewrites it";
  }
}

constexpr char kAnonymous[] =
    R"({"auditID":"abcde12345","kind":"Event","p_log_type":"Amazon.EKS.Audit","requestURI":"/api/v1/pods",)"
    R"("sourceIPs":["8.8.8.8"],"user":{"username":"system:anonymous"},"userAgent":"kubectl/v1.25.4","verb":"get",)"
    R"("annotations":{"authorization.k8s.io/decision":"allow"},"p_source_label":"prod-eks"})";

Explanation ExplainJson(const RuleSet& rules, const std::string& id, const std::string& json) {
  JsonEventParser parser;
  absl::StatusOr<Value> event = parser.Parse(json);
  EXPECT_TRUE(event.ok()) << event.status();
  const int index = rules.FindRule(id);
  EXPECT_GE(index, 0) << id;
  return ExplainRule(rules, static_cast<size_t>(index), *event);
}

// The seed rule (Amazon.EKS.AnonymousAPIAccess), loaded for each test, explained on kAnonymous or a variant of it.
class ExplainAnonymousTest : public ::testing::Test {
 protected:
  void SetUp() override {
    rules_ = LoadBundledRule("anonymous_api_access.yml");
    ASSERT_NE(rules_, nullptr);
  }
  Explanation Explain(const std::string& json) { return ExplainJson(*rules_, "Amazon.EKS.AnonymousAPIAccess", json); }
  std::shared_ptr<const RuleSet> rules_;
};

TEST_F(ExplainAnonymousTest, Match) {
  const Explanation x = Explain(kAnonymous);
  EXPECT_TRUE(x.matched);
  EXPECT_EQ(x.reason, "every condition holds");
  ExpectGolden("anonymous_match", x);
}

TEST_F(ExplainAnonymousTest, FailingComparisonNamesTheKeyAndValue) {
  std::string json = kAnonymous;
  json.replace(json.find("system:anonymous"), 16, "kubernetes-admin");
  const Explanation x = Explain(json);
  EXPECT_FALSE(x.matched);
  EXPECT_THAT(x.reason, HasSubstr("user.username = \"kubernetes-admin\""));
  ExpectGolden("anonymous_not_anonymous", x);
}

TEST_F(ExplainAnonymousTest, ExclusionThatFires) {
  std::string json = kAnonymous;
  json.replace(json.find("kubectl/v1.25.4"), 15, "ELB-HealthChecker/2.0");
  json.replace(json.find("8.8.8.8"), 7, "10.0.0.7");
  const Explanation x = Explain(json);
  EXPECT_FALSE(x.matched);
  EXPECT_THAT(x.reason, HasSubstr("exclusion fired"));
  ExpectGolden("anonymous_health_check_excluded", x);
}

TEST(ExplainTest, ComprehensionElementByElement) {
  auto rules = LoadBundledRule("pod_hostpath_volume.yml");
  ASSERT_NE(rules, nullptr);
  const int index = rules->FindRule("Kubernetes.Pod.HostPath.Volume");
  ASSERT_GE(index, 0);
  const RuleInfo& info = rules->rule(index);
  ASSERT_FALSE(info.tests.empty());
  const Explanation x = ExplainJson(*rules, info.id, info.tests[0].log_json);
  EXPECT_EQ(x.matched, info.tests[0].expected_result);
  ExpectGolden("hostpath_first_test", x);
}

// Explain agrees with evaluation on every test of the bundled rules: what it calls a match is one.
TEST(ExplainTest, AgreesWithTheRuleTestsOfTheBundledRules) {
  RuleSetBuilder builder;
  ASSERT_TRUE(builder.AddPath(test_support::SourcePath("rules")).ok());
  CompileResult r = std::move(builder).Build();
  ASSERT_TRUE(r.IsValid()) << r.FormatIssues();
  auto rules = r.ReleaseRuleSet();
  JsonEventParser parser;
  size_t checked = 0;
  for (size_t i = 0; i < rules->size(); ++i) {
    for (const RuleTest& t : rules->rule(i).tests) {
      absl::StatusOr<Value> event = parser.Parse(t.log_json);
      ASSERT_TRUE(event.ok());
      const Explanation x = ExplainRule(*rules, i, *event);
      bool all = true;
      for (const auto* part : {&x.filters, &x.detection}) {
        for (const ExplainNode& n : *part) all = all && n.result;
      }
      EXPECT_EQ(x.matched, t.expected_result) << rules->rule(i).id << ": " << t.name;
      EXPECT_EQ(all, x.matched) << rules->rule(i).id << ": " << t.name << "\n" << FormatExplanationText(x);
      ++checked;
    }
  }
  EXPECT_GT(checked, 100u);
}

}  // namespace
}  // namespace detect
