// Long field paths (issue 12, item 3): a KeyPath, DeepKey or placeholder of more than 256 segments is a rule
// error at its file:line:col; a rule set's distinct path segments are bounded (max_interned_path_segments);
// paths at the bound load and evaluate, and interning shares prefixes and memo slots as before.
#include <algorithm>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "engine/compiler.h"
#include "engine/json_event.h"
#include "engine/rule_set.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/engine_fixtures.h"
#include "tests/testing/status_matchers.h"

namespace detect {
namespace {

using ::detect::test_support::IsOk;
using ::testing::HasSubstr;

using test_support::Rule;

// "p.a.a...a" with `n` segments in all.
std::string DottedPath(int n) {
  std::string path = "p";
  for (int i = 1; i < n; ++i) path += ".a";
  return path;
}

// {"p":{"a":{..."a":"x"}}}: the value of DottedPath(n).
std::string NestedEvent(int n) {
  std::string json = R"({"verb":"create","p":)";
  for (int i = 1; i < n; ++i) json += R"({"a":)";
  json += R"("x")";
  for (int i = 1; i < n; ++i) json += "}";
  return json + "}";
}

CompileResult BuildOne(const std::string& text, EngineOptions options = EngineOptions()) {
  RuleSetBuilder builder(options);
  builder.AddFile("long.yml", text);
  return std::move(builder).Build();
}

std::vector<std::string> Matches(const RuleSet& rules, const std::string& json, std::string* title = nullptr) {
  JsonEventParser parser(rules.options());
  EvalScratch scratch;
  EvalResult result;
  EXPECT_THAT(rules.EvaluateJson(json, "", parser, scratch, result), IsOk());
  std::vector<std::string> ids;
  for (const Match& m : result.matches) {
    ids.push_back(m.rule->id);
    if (title != nullptr) *title = m.title;
  }
  std::sort(ids.begin(), ids.end());
  return ids;
}

TEST(PathLimitsTest, AFiveThousandSegmentKeyPathIsAnErrorAtItsLocation) {
  CompileResult r = BuildOne(Rule("r.long", absl::StrCat("{KeyPath: ", DottedPath(5000), ", Condition: Exists}")));
  EXPECT_FALSE(r.IsValid());
  EXPECT_EQ(r.rule_set(), nullptr);
  EXPECT_THAT(r.FormatIssues(), HasSubstr("ERROR: long.yml:7:15: path has more than 256 segments"));
  EXPECT_LT(r.FormatIssues().size(), 1000u) << "the message should not echo the whole path";
}

TEST(PathLimitsTest, AFiveThousandSegmentPlaceholderIsAnErrorAtItsLocation) {
  CompileResult r = BuildOne(Rule("r.long", "{KeyPath: verb, Condition: Exists}",
                                  absl::StrCat("AlertTitle: 'x {", DottedPath(5000), "}'\n")));
  EXPECT_FALSE(r.IsValid());
  EXPECT_THAT(r.FormatIssues(), HasSubstr("long.yml:6:"));
  EXPECT_THAT(r.FormatIssues(), HasSubstr("path has more than 256 segments"));
  EXPECT_LT(r.FormatIssues().size(), 1000u);
}

TEST(PathLimitsTest, A257KeyDeepKeyIsAnError) {
  std::string keys = "p";
  for (int i = 1; i < 257; ++i) keys += ", a";
  CompileResult r = BuildOne(Rule("r.long", absl::StrCat("{DeepKey: [", keys, "], Condition: Exists}")));
  EXPECT_FALSE(r.IsValid());
  EXPECT_THAT(r.FormatIssues(), HasSubstr("long.yml:7:15: path has more than 256 segments"));
}

TEST(PathLimitsTest, PathsAtTheBoundLoadAndEvaluate) {
  // 254 segments: the value sits 254 objects deep, inside max_event_depth (256).
  const std::string path = DottedPath(254);
  CompileResult r = BuildOne(Rule("r.long", absl::StrCat("{KeyPath: ", path, ", Condition: Equals, Value: x}"),
                                  absl::StrCat("AlertTitle: 'got {", path, "}'\n")));
  ASSERT_TRUE(r.IsValid()) << r.FormatIssues();
  std::string title;
  EXPECT_THAT(Matches(*r.rule_set(), NestedEvent(254), &title), ::testing::ElementsAre("r.long"));
  EXPECT_EQ(title, "got x");
  EXPECT_THAT(Matches(*r.rule_set(), NestedEvent(253)), ::testing::IsEmpty());
  EXPECT_THAT(BuildOne(Rule("r.256", absl::StrCat("{KeyPath: ", DottedPath(256), ", Condition: Exists}")))
                  .FormatIssues(),
              ::testing::IsEmpty());
}

// Paths sharing a long prefix read the same values as paths that do not (interning is an optimization only).
TEST(PathLimitsTest, DeepPathsSharingPrefixesEvaluateCorrectly) {
  std::string detection = absl::StrCat("{KeyPath: ", DottedPath(40), ", Condition: Equals, Value: x}");
  RuleSetBuilder builder;
  builder.AddFile("a.yml", Rule("r.a", detection));
  builder.AddFile("b.yml", Rule("r.b", absl::StrCat("{KeyPath: ", DottedPath(39), ".b, Condition: Equals, Value: y}")));
  builder.AddFile("c.yml", Rule("r.c", absl::StrCat("{KeyPath: ", DottedPath(20), ", Condition: Exists}")));
  CompileResult set = std::move(builder).Build();
  ASSERT_TRUE(set.IsValid()) << set.FormatIssues();
  std::string b_event = NestedEvent(39);
  b_event.replace(b_event.find(R"("x")"), 3, R"({"a":"x","b":"y"})");  // 40 deep: a = x and b = y.
  EXPECT_THAT(Matches(*set.rule_set(), b_event), ::testing::ElementsAre("r.a", "r.b", "r.c"));
  EXPECT_THAT(Matches(*set.rule_set(), NestedEvent(40)), ::testing::ElementsAre("r.a", "r.c"));
  EXPECT_THAT(Matches(*set.rule_set(), NestedEvent(19)), ::testing::IsEmpty());
}

TEST(PathLimitsTest, TheRuleSetsDistinctSegmentsAreBoundedAtTheRuleThatPassesTheBound) {
  EngineOptions options;
  options.max_interned_path_segments = 1000;
  for (OnRuleError mode : {OnRuleError::kAbort, OnRuleError::kSkip}) {
    RuleSetBuilder builder(options);
    builder.AddFile("a_small.yml", Rule("r.small", "{KeyPath: verb, Condition: Equals, Value: create}"));
    // Each rule: 200 distinct segments (p.b<i>.a.a...); the fifth takes the set past 1,000.
    for (int i = 0; i < 6; ++i) {
      builder.AddFile(absl::StrCat("b_", i, ".yml"),
                      Rule(absl::StrCat("r.", i), absl::StrCat("{KeyPath: q", i, ".", DottedPath(199),
                                                              ", Condition: Exists}")));
    }
    CompileResult r = std::move(builder).Build(mode);
    EXPECT_FALSE(r.IsValid());
    EXPECT_THAT(r.FormatIssues(), HasSubstr("ERROR: b_4.yml:2:9: with this rule the rule set's field paths have "
                                            "more than 1000 distinct segments (max_interned_path_segments)"));
    if (mode == OnRuleError::kAbort) {
      EXPECT_EQ(r.rule_set(), nullptr);
    } else {
      ASSERT_NE(r.rule_set(), nullptr);
      EXPECT_EQ(r.rule_set()->size(), 5u);  // r.small and r.0 .. r.3.
      EXPECT_THAT(Matches(*r.rule_set(), R"({"verb":"create"})"), ::testing::ElementsAre("r.small"));
    }
  }
}

}  // namespace
}  // namespace detect
