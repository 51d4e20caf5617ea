// Alert fields rendered for matches: titles and their Panther defaults, conditional variants, dedup strings,
// GroupBy, dynamic severities, caps, summary attributes, alert context and AlertFields.
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/engine_fixtures.h"

namespace detect {
namespace {

using ::testing::ElementsAre;
using ::testing::Field;

using test_support::kMatchAll;

// The one match of `event` for a match-all rule with `extra` keys, displayed as `display_name` ("": none).
Match OnlyMatch(const std::string& extra, const std::string& event, const std::string& display_name = "Test Rule") {
  std::string yaml = test_support::RuleWithDetection(kMatchAll, extra);
  if (display_name != "Test Rule") {
    const std::string from = "DisplayName: Test Rule\n";
    yaml.replace(yaml.find(from), from.size(), display_name.empty() ? "" : "DisplayName: " + display_name + "\n");
  }
  return test_support::OnlyMatch(yaml, event);
}

TEST(AlertTitleTest, DefaultsToDisplayNameThenRuleId) {
  EXPECT_EQ(OnlyMatch("", "{}").title, "Test Rule");
  EXPECT_EQ(OnlyMatch("", "{}", "").title, "test.rule");
}

TEST(AlertTitleTest, RendersPlaceholders) {
  Match m = OnlyMatch("AlertTitle: 'user {user.username} from {sourceIPs[0]} code {code} ok {ok} {{literal}}'",
                      R"({"user":{"username":"alice"},"sourceIPs":["1.2.3.4"],"code":403,"ok":true})");
  EXPECT_EQ(m.title, "user alice from 1.2.3.4 code 403 ok True {literal}");
}

TEST(AlertTitleTest, MissingValuesRenderEmptyOrDefault) {
  Match m = OnlyMatch("AlertTitle: '[{user.username}] [{user.username|<UNKNOWN_USER>}] [{ns|}]'", R"({"ns":""})");
  EXPECT_EQ(m.title, "[] [<UNKNOWN_USER>] []");
}

TEST(AlertTitleTest, DefaultAppliesToFalsyValues) {
  EXPECT_EQ(OnlyMatch("AlertTitle: '{a|d}-{b|d}-{c|d}-{e|d}'", R"({"a":"","b":null,"c":[],"e":"x"})").title, "d-d-d-x");
}

TEST(AlertTitleTest, PythonStrOfValues) {
  Match m = OnlyMatch("AlertTitle: '{l} {o} {f} {n}'", R"({"l":["a",1,true,null],"o":{"k":"v"},"f":1.0,"n":null})");
  EXPECT_EQ(m.title, "['a', 1, True, None] {'k': 'v'} 1.0 None");
}

TEST(AlertTitleTest, WildcardJoinsWithComma) {
  EXPECT_EQ(OnlyMatch("AlertTitle: 'paths {v[*].hostPath.path}'",
                      R"({"v":[{"hostPath":{"path":"/etc"}},{"emptyDir":{}},{"hostPath":{"path":"/var"}}]})")
                .title,
            "paths /etc, /var");
}

TEST(AlertTitleTest, FirstMatchingVariantWins) {
  const std::string extra = R"(AlertTitle:
  - Conditions:
      - {Key: decision, Condition: DoesNotEqual, Value: allow}
    Template: failed
  - Conditions:
      - {Key: uri, Condition: Equals, Value: /version}
      - {Key: uri, Condition: Equals, Value: /healthz}
    Template: probe {uri}
  - Template: default {uri}
)";
  EXPECT_EQ(OnlyMatch(extra, R"({"decision":"forbid","uri":"/version"})").title, "failed");
  EXPECT_EQ(OnlyMatch(extra, R"({"decision":"allow","uri":"/healthz"})").title, "probe /healthz");
  EXPECT_EQ(OnlyMatch(extra, R"({"decision":"allow","uri":"/api"})").title, "default /api");
}

TEST(AlertTitleTest, NoVariantHoldsFallsBackToDisplayName) {
  const std::string extra = "AlertTitle:\n  - Conditions: [{Key: a, Condition: Exists}]\n    Template: has a\n";
  EXPECT_EQ(OnlyMatch(extra, "{}").title, "Test Rule");
}

TEST(AlertTitleTest, LongTitlesAreCappedLikePanther) {
  const std::string long_value(1500, 'x');
  Match m = OnlyMatch("AlertTitle: '{v}'", R"({"v":")" + long_value + R"("})");
  EXPECT_EQ(m.title.size(), 1000u);
  EXPECT_THAT(m.title, ::testing::EndsWith("... (truncated)"));
  EXPECT_EQ(m.dedup, m.title);
}

TEST(AlertFieldsTest, JoinsFilteredElementsOrDefault) {
  const std::string extra = R"(AlertFields:
  subjects:
    Join: subjects
    Template: "{kind}:{name}"
    Filter: [{Key: kind, Condition: IsNotNullOrEmpty}, {Key: name, Condition: IsNotNullOrEmpty}]
    Default: <UNKNOWN_SUBJECTS>
AlertTitle: "to [{@subjects}]"
)";
  EXPECT_EQ(OnlyMatch(extra, R"({"subjects":[{"kind":"User","name":"a"},{"kind":"Group"},{"kind":"Group","name":"g"}]})")
                .title,
            "to [User:a, Group:g]");
  EXPECT_EQ(OnlyMatch(extra, R"({"subjects":[]})").title, "to [<UNKNOWN_SUBJECTS>]");
}

TEST(AlertFieldsTest, UnknownFieldIsACompileError) {
  CompileResult r = test_support::CompileText(test_support::RuleWithDetection(kMatchAll, "AlertTitle: '{@nope}'"));
  EXPECT_FALSE(r.IsValid());
  EXPECT_THAT(r.FormatIssues(), ::testing::HasSubstr("{@nope}, which AlertFields does not define"));
}

TEST(DedupTest, DefaultsToTitle) { EXPECT_EQ(OnlyMatch("AlertTitle: t {a}", R"({"a":1})").dedup, "t 1"); }

TEST(DedupTest, GroupByJoinsWithColon) {
  EXPECT_EQ(OnlyMatch("GroupBy:\n  - Key: a\n  - KeyPath: b.c", R"({"a":"x","b":{"c":2}})").dedup, "x:2");
}

TEST(DedupTest, AlertDedupWinsOverGroupBy) {
  EXPECT_EQ(OnlyMatch("GroupBy: [{Key: a}]\nAlertDedup: 'd-{a}'", R"({"a":"x"})").dedup, "d-x");
}

TEST(SeverityTest, DynamicSeveritiesFirstMatchWinsAndConditionsAreOred) {
  const std::string extra = R"(DynamicSeverities:
  - ChangeTo: Critical
    Conditions:
      - {Key: e, Condition: IContains, Value: create}
      - {Key: e, Condition: IContains, Value: delete}
  - ChangeTo: Low
    Conditions:
      - {Key: e, Condition: Exists}
)";
  EXPECT_EQ(OnlyMatch(extra, R"({"e":"Deleted admin"})").severity, Severity::kCritical);
  EXPECT_EQ(OnlyMatch(extra, R"({"e":"Created admin"})").severity, Severity::kCritical);
  EXPECT_EQ(OnlyMatch(extra, R"({"e":"Edited"})").severity, Severity::kLow);
  EXPECT_EQ(OnlyMatch(extra, R"({})").severity, Severity::kMedium);
}

TEST(SummaryTest, SnowflakePathsAndJsonValues) {
  Match m = OnlyMatch("SummaryAttributes: ['user:username', p_any_ip_addresses, missing]",
                      R"({"user":{"username":"alice"},"sourceIPs":["8.8.8.8"]})");
  EXPECT_THAT(m.summary, ElementsAre(Field(&SummaryValue::json, "\"alice\""), Field(&SummaryValue::json, "[\"8.8.8.8\"]"),
                                     Field(&SummaryValue::json, "null")));
  EXPECT_EQ(m.summary[0].name, "user:username");
}

TEST(AlertContextTest, JsonObjectOfKeyValues) {
  Match m = OnlyMatch("AlertContext:\n  - KeyName: who\n    KeyValue: {KeyPath: user.username}\n"
                      "  - KeyName: none\n    KeyValue: {Key: nope}",
                      R"({"user":{"username":"al\"ice"}})");
  EXPECT_EQ(m.alert_context_json, R"({"who":"al\"ice","none":null})");
}

}  // namespace
}  // namespace detect
