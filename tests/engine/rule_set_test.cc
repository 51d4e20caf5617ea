// RuleSet evaluation: the index only changes which rules run, never the result; log types; disabled rules;
// concurrent evaluation from many threads on one shared, immutable set.
#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "engine/internal/compiled_rule.h"
#include "engine/internal/rule_set_internals.h"
#include "engine/eval/rule_index.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/engine_fixtures.h"

namespace detect {
namespace {

std::string Rule(const std::string& id, const std::string& detection, const std::string& extra = "") {
  return absl::StrCat("AnalysisType: rule\nRuleID: ", id, "\nEnabled: true\nLogTypes: [Amazon.EKS.Audit]\n",
                      "Severity: Low\nDetection:\n", detection, "\n", extra);
}

std::shared_ptr<const RuleSet> Compile(const std::vector<std::string>& files) {
  RuleSetBuilder builder;
  for (size_t i = 0; i < files.size(); ++i) builder.AddFile(absl::StrCat("r", i, ".yml"), files[i]);
  CompileResult r = std::move(builder).Build();
  EXPECT_TRUE(r.IsValid()) << r.FormatIssues();
  return r.ReleaseRuleSet();
}

std::vector<std::string> MatchedIds(const RuleSet& rules, const std::string& event, absl::string_view log_type = "") {
  JsonEventParser parser;
  EvalScratch scratch;
  EvalResult result;
  EXPECT_TRUE(rules.EvaluateJson(event, log_type, parser, scratch, result).ok());
  std::vector<std::string> ids;
  for (const Match& m : result.matches) ids.push_back(m.rule->id);
  return ids;
}

TEST(RuleIndexTest, ChoosesARequiredLiteralConjunct) {
  auto rules = Compile({Rule("a", "  - {Key: verb, Condition: Equals, Value: create}\n"
                                  "  - {KeyPath: objectRef.resource, Condition: IsIn, Values: [pods, services]}"),
                        Rule("b", "  - {Key: verb, Condition: DoesNotEqual, Value: create}"),
                        Rule("c", "  - All:\n      - {Key: verb, Condition: Equals, Value: get}")});
  const auto* a = RuleSetInternals::IndexedBy(*rules, 0);
  ASSERT_NE(a, nullptr);
  EXPECT_EQ(a->path.text, "objectRef.resource");  // verb has few, common values: any rarer field wins.
  EXPECT_EQ(RuleSetInternals::IndexedBy(*rules, 1), nullptr);  // Negations never index.
  ASSERT_NE(RuleSetInternals::IndexedBy(*rules, 2), nullptr);  // Inside a top-level All, and verb alone is still better than nothing.
}

TEST(RuleIndexTest, IndexedAndUnindexedRulesMatchInRuleOrder) {
  auto rules = Compile({Rule("a.create", "  - {Key: verb, Condition: Equals, Value: create}"),
                        Rule("b.any", "  - {Key: user, Condition: Exists}"),
                        Rule("c.pods", "  - {KeyPath: objectRef.resource, Condition: IsIn, Values: [pods, secrets]}"),
                        Rule("d.get", "  - {Key: verb, Condition: Equals, Value: get}")});
  EXPECT_THAT(MatchedIds(*rules, R"({"verb":"create","user":"x","objectRef":{"resource":"pods"}})"),
              ::testing::ElementsAre("a.create", "b.any", "c.pods"));
  EXPECT_THAT(MatchedIds(*rules, R"({"verb":"get","objectRef":{"resource":"secrets"}})"),
              ::testing::ElementsAre("c.pods", "d.get"));
  EXPECT_THAT(MatchedIds(*rules, R"({"verb":7})"), ::testing::IsEmpty());
}

TEST(RuleIndexTest, PrefixAndRegexIndexesNarrowWithoutChangingResults) {
  std::vector<std::string> files;
  for (int i = 0; i < 40; ++i) {
    files.push_back(Rule(absl::StrCat("p", i), absl::StrCat("  - {Key: userAgent, Condition: StartsWith, Value: 'tool-", i, "/'}")));
    files.push_back(Rule(absl::StrCat("r", i), absl::StrCat("  - {Key: uri, Condition: Matches, Value: '^/ns-", i,
                                                            "/(secrets|configmaps)/'}\n  - {Key: verb, Condition: IsIn, Values: [get, list]}")));
  }
  auto rules = Compile(files);
  const auto* r7 = RuleSetInternals::IndexedBy(*rules, rules->FindRule("r7"));
  ASSERT_NE(r7, nullptr);
  EXPECT_EQ(r7->condition_name, "Matches");  // verb get/list is required by 40 rules: the regex is rarer.
  EXPECT_THAT(MatchedIds(*rules, R"({"userAgent":"tool-12/1.0","uri":"/ns-7/secrets/x","verb":"get"})"),
              ::testing::ElementsAre("r7", "p12"));  // Rule order: r7 was added before p12.
  EXPECT_THAT(MatchedIds(*rules, R"({"userAgent":"tool-1","uri":"/ns-7/pods/x","verb":"get"})"), ::testing::IsEmpty());
  EXPECT_THAT(MatchedIds(*rules, R"({"userAgent":"tool-1/","uri":"/ns-39/configmaps/","verb":"list"})"),
              ::testing::ElementsAre("p1", "r39"));
}

TEST(RuleIndexTest, AnyOfPrefixesAndIntegerValuesIndex) {
  auto rules = Compile({Rule("prefixes", "  - Any:\n      - {KeyPath: user.username, Condition: StartsWith, Value: 'system:node:'}\n"
                                         "      - {KeyPath: user.username, Condition: StartsWith, Value: 'eks:'}"),
                        Rule("code", "  - {KeyPath: responseStatus.code, Condition: IsIn, Values: [403, 7]}")});
  ASSERT_NE(RuleSetInternals::IndexedBy(*rules, 0), nullptr);
  ASSERT_NE(RuleSetInternals::IndexedBy(*rules, 1), nullptr);
  EXPECT_THAT(MatchedIds(*rules, R"({"user":{"username":"eks:addon"},"responseStatus":{"code":403.0}})"),
              ::testing::ElementsAre("prefixes", "code"));
  EXPECT_THAT(MatchedIds(*rules, R"({"user":{"username":"system:node:a"},"responseStatus":{"code":"403"}})"),
              ::testing::ElementsAre("prefixes"));
  EXPECT_THAT(MatchedIds(*rules, R"({"user":{"username":"alice"},"responseStatus":{"code":7}})"),
              ::testing::ElementsAre("code"));
}

TEST(RuleIndexTest, ARuleFiledUnderSeveralValuesTheEventCarriesRunsOnce) {
  // Both prefixes of `nested` match "system:node:x"; `always` has no index; `exact` and `code` are found through
  // two different fields. Each matches once, in rule order.
  auto rules = Compile({Rule("nested", "  - Any:\n      - {KeyPath: user.username, Condition: StartsWith, Value: 'system:'}\n"
                                       "      - {KeyPath: user.username, Condition: StartsWith, Value: 'system:node:'}"),
                        Rule("always", "  - {Key: verb, Condition: DoesNotEqual, Value: delete}"),
                        Rule("exact", "  - {KeyPath: user.username, Condition: IsIn, Values: ['system:node:x', 'y']}"),
                        Rule("code", "  - {KeyPath: responseStatus.code, Condition: Equals, Value: 200}")});
  ASSERT_NE(RuleSetInternals::IndexedBy(*rules, 0), nullptr);
  EXPECT_EQ(RuleSetInternals::IndexedBy(*rules, 1), nullptr);
  EXPECT_THAT(MatchedIds(*rules, R"({"verb":"get","user":{"username":"system:node:x"},"responseStatus":{"code":200}})"),
              ::testing::ElementsAre("nested", "always", "exact", "code"));
  EXPECT_THAT(MatchedIds(*rules, R"({"verb":"delete","user":{"username":"system:"}})"), ::testing::ElementsAre("nested"));
  EXPECT_THAT(MatchedIds(*rules, R"({"verb":"delete","user":{"username":"system"}})"), ::testing::IsEmpty());
  // An event of a log type no rule names meets the rules without LogTypes only: here, none.
  EXPECT_THAT(MatchedIds(*rules, R"({"verb":"get"})", "Other.Log"), ::testing::IsEmpty());
}

TEST(RuleSetTest, LogTypesSelectRules) {
  auto rules = Compile({Rule("eks", "  - Condition: AlwaysTrue"),
                        "AnalysisType: rule\nRuleID: gcp\nEnabled: true\nLogTypes: [GCP.AuditLog]\nSeverity: Low\n"
                        "Detection:\n  - Condition: AlwaysTrue\n",
                        "AnalysisType: rule\nRuleID: any\nEnabled: true\nSeverity: Low\nDetection:\n"
                        "  - Condition: AlwaysTrue\n"});
  EXPECT_THAT(MatchedIds(*rules, "{}"), ::testing::ElementsAre("eks", "any"));  // Default log type: EKS.
  EXPECT_THAT(MatchedIds(*rules, R"({"p_log_type":"GCP.AuditLog"})"), ::testing::ElementsAre("gcp", "any"));
  EXPECT_THAT(MatchedIds(*rules, R"({"p_log_type":"GCP.AuditLog"})", "Amazon.EKS.Audit"),
              ::testing::ElementsAre("eks", "any"));  // The caller's log type wins.
  EXPECT_THAT(MatchedIds(*rules, R"({"p_log_type":"Okta.SystemLog"})"), ::testing::ElementsAre("any"));
}

TEST(RuleSetTest, DisabledRulesDoNotRunButTheirTestsDo) {
  std::string disabled = Rule("off", "  - Condition: AlwaysTrue");
  disabled.replace(disabled.find("Enabled: true"), 13, "Enabled: false");
  auto rules = Compile({disabled});
  EXPECT_THAT(MatchedIds(*rules, "{}"), ::testing::IsEmpty());
  JsonEventParser parser;
  EvalScratch scratch;
  EvalResult result;
  rules->EvaluateRule(0, *parser.Parse("{}"), scratch, result);
  EXPECT_EQ(result.matches.size(), 1u);
}

TEST(RuleSetTest, InlineFiltersApplyBeforeDetection) {
  auto rules = Compile({Rule("f", "  - {Key: userAgent, Condition: Equals, Value: Max}",
                             "InlineFilters:\n  - {KeyPath: actionName, Condition: Equals, Value: Beans}\n")});
  EXPECT_THAT(MatchedIds(*rules, R"({"userAgent":"Max","actionName":"Beans"})"), ::testing::ElementsAre("f"));
  EXPECT_THAT(MatchedIds(*rules, R"({"userAgent":"Max","actionName":"Other"})"), ::testing::IsEmpty());
}

TEST(RuleSetTest, ConcurrentEvaluationAgreesWithSerial) {
  std::vector<std::string> files;
  for (int i = 0; i < 50; ++i) {
    files.push_back(Rule(absl::StrCat("r", i), absl::StrCat("  - {Key: n, Condition: IsGreaterThan, Value: ", i, "}"),
                         "AlertTitle: 'n={n} user={user|none}'\n"));
  }
  auto rules = Compile(files);
  std::vector<std::string> events;
  for (int i = 0; i < 200; ++i) events.push_back(absl::StrCat(R"({"n":)", i % 60, R"(,"user":"u)", i, R"("})"));
  auto run = [&](size_t i, EvalScratch& scratch, JsonEventParser& parser) {
    EvalResult result;
    EXPECT_TRUE(rules->EvaluateJson(events[i], "", parser, scratch, result).ok());
    std::string summary;
    for (const Match& m : result.matches) absl::StrAppend(&summary, m.rule->id, "=", m.title, ";");
    return summary;
  };
  std::vector<std::string> expected(events.size());
  {
    EvalScratch scratch;
    JsonEventParser parser;
    for (size_t i = 0; i < events.size(); ++i) expected[i] = run(i, scratch, parser);
  }
  std::atomic<int> mismatches{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      EvalScratch scratch;
      JsonEventParser parser;
      for (int round = 0; round < 20; ++round) {
        for (size_t i = 0; i < events.size(); ++i) {
          if (run(i, scratch, parser) != expected[i]) ++mismatches;
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(mismatches.load(), 0);
  // Event 10 has n=10: exactly rules r0..r9 (n > i) match.
  EXPECT_THAT(expected[10], ::testing::EndsWith("r9=n=10 user=u10;"));
  EXPECT_THAT(expected[10], ::testing::Not(::testing::HasSubstr("r10=")));
}

}  // namespace
}  // namespace detect
