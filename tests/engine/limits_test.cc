// Hostile inputs: events and rule files built to break a parser, a regex engine, a limit or the memory of the
// process. Each must get a clear error (naming the limit where one applies) or a correct result, and the same
// parser, scratch and rule set must evaluate a normal event correctly right after.
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>
#include <ostream>
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
using ::detect::test_support::StatusIs;
using ::testing::AllOf;
using ::testing::ElementsAre;
using ::testing::ElementsAreArray;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::StartsWith;

constexpr char kNormalEvent[] = R"({"verb":"create","user":{"username":"system:anonymous"},"n":1})";

using test_support::Rule;

// The rules every hostile event meets; kNormalEvent matches r.user and r.verb.
std::shared_ptr<const RuleSet> HostileEventRules(const EngineOptions& options) {
  RuleSetBuilder builder(options);
  builder.AddFile("big.yml", Rule("r.big", "{Key: n, Condition: IsGreaterThan, Value: 1e22}"));
  builder.AddFile("deep.yml", Rule("r.deep", "{Key: a, Condition: Exists}", "AlertTitle: 'deep {a}'\n"));
  builder.AddFile("huge.yml", Rule("r.huge", "{Key: n, Condition: IsGreaterThan, Value: 9.3e18}"));
  builder.AddFile("regex.yml", Rule("r.regex", "{Key: s, Condition: Matches, Value: '(a+)+$'}"));
  builder.AddFile("user.yml", Rule("r.user", "{KeyPath: user.username, Condition: Equals, Value: 'system:anonymous'}"));
  builder.AddFile("verb.yml", Rule("r.verb", "{KeyPath: verb, Condition: Equals, Value: create}"));
  CompileResult result = std::move(builder).Build();
  EXPECT_TRUE(result.IsValid()) << result.FormatIssues();
  return result.ReleaseRuleSet();
}

std::vector<std::string> MatchedIds(const EvalResult& result) {
  std::vector<std::string> ids;
  for (const Match& m : result.matches) ids.push_back(m.rule->id);
  std::sort(ids.begin(), ids.end());
  return ids;
}

// Evaluates kNormalEvent with the objects a hostile input went through: they must still work.
void ExpectStillHealthy(const RuleSet& rules, JsonEventParser& parser, EvalScratch& scratch) {
  EvalResult result;
  ASSERT_THAT(rules.EvaluateJson(kNormalEvent, "", parser, scratch, result), IsOk());
  EXPECT_THAT(MatchedIds(result), ElementsAre("r.user", "r.verb"));
}

std::string Nested(int depth, const std::string& open, const std::string& inner, const std::string& close) {
  std::string s;
  s.reserve(depth * (open.size() + close.size()) + inner.size());
  for (int i = 0; i < depth; ++i) s += open;
  s += inner;
  for (int i = 0; i < depth; ++i) s += close;
  return s;
}

std::string HundredMegabyteEvent() {
  return absl::StrCat(R"({"verb":"create","pad":")", std::string(100 << 20, 'x'), R"("})");
}

// One hostile event. The event is built in the test (some are 100 MB). Expected: an InvalidArgument whose
// message contains `error`, or (with `error` empty) exactly the rules `matches`. With `either`, both are
// acceptable outcomes (the case says why), but nothing else is.
struct EventCase {
  std::string name;
  std::function<std::string()> make;
  std::string error;
  std::vector<std::string> matches;
  bool either = false;
  size_t max_event_bytes = EngineOptions().max_event_bytes;
};

std::vector<EventCase> EventCases() {
  const std::string a100k(100000, 'a');
  return {
      // Size: over the default limit, refused before parsing with the limit named.
      {"Event100MbOverMaxEventBytes", HundredMegabyteEvent, "exceeds max_event_bytes 1048576"},
      // Unbounded: accepted, or refused cleanly if the parser cannot get the memory.
      {"Event100MbUnbounded", HundredMegabyteEvent, "invalid JSON", {"r.verb"}, true, 0},
      // Depth: refused at max_event_depth (256) whatever the container kind.
      {"Arrays100000Deep", [] { return absl::StrCat(R"({"a":)", Nested(100000, "[", "", "]"), "}"); },
       "more than max_event_depth 256"},
      {"Objects100000Deep", [] { return Nested(100000, R"({"a":)", "1", "}"); }, "more than max_event_depth 256"},
      // Under the depth limit: accepted, and the deep value renders into the title (capped).
      {"Objects200DeepRender", [] { return Nested(200, R"({"a":)", "1", "}"); }, "", {"r.deep"}},
      // UTF-8: simdjson validates every byte of the input.
      {"InvalidUtf8InValue", [] { return std::string("{\"s\":\"\xff\xfe\"}"); }, "not valid UTF-8"},
      {"InvalidUtf8InKey", [] { return std::string("{\"\xc3\":1}"); }, "not valid UTF-8"},
      {"TruncatedUtf8Sequence", [] { return std::string("{\"s\":\"ab\xe2\x82\"}"); }, "not valid UTF-8"},
      {"OverlongUtf8", [] { return std::string("{\"s\":\"\xc0\xaf\"}"); }, "not valid UTF-8"},
      {"Utf8EncodedSurrogate", [] { return std::string("{\"s\":\"\xed\xa0\x80\"}"); }, "not valid UTF-8"},
      {"LoneSurrogateEscape", [] { return std::string(R"({"s":"\ud800"})"); }, "invalid JSON"},
      {"UnescapedNulByte", [] { return std::string("{\"s\":\"a\0b\"}", 11); }, "invalid JSON"},
      {"EscapedNulIsData", [] { return std::string(R"({"verb":"create\u0000"})"); }, "", {}},
      // Numbers. Python reads 1e400 as inf and big integers exactly; simdjson refuses both: a clean error, or
      // (if the parser ever accepts them) the value compared correctly.
      {"Number1e400", [] { return std::string(R"({"n":1e400})"); }, "number", {"r.big", "r.huge"}, true},
      {"NumberMinus1e400", [] { return std::string(R"({"n":-1e400})"); }, "number", {}, true},
      {"Number1eMinus400IsZero", [] { return std::string(R"({"n":1e-400})"); }, "", {}},
      {"IntegerBeyondUint64", [] { return std::string(R"({"n":99999999999999999999999})"); }, "number",
       {"r.big", "r.huge"}, true},
      {"IntegerBelowInt64Min", [] { return std::string(R"({"n":-9223372036854775809})"); }, "number", {}, true},
      {"Uint64MaxIsADouble", [] { return std::string(R"({"n":18446744073709551615})"); }, "", {"r.huge"}},
      // Duplicate keys: the last one wins, at any depth (Python's json.loads).
      {"DuplicateKeyLastWins", [] { return std::string(R"({"verb":"get","verb":"create"})"); }, "", {"r.verb"}},
      {"DuplicateKeyFirstLoses", [] { return std::string(R"({"verb":"create","verb":"get"})"); }, "", {}},
      {"DuplicateNestedObjectLastWins",
       [] { return std::string(R"({"user":{"username":"bob"},"user":{"username":"system:anonymous"}})"); }, "",
       {"r.user"}},
      // (a+)+$ backtracks exponentially in PCRE-style engines; RE2 is linear. Asserted: it evaluates.
      {"CatastrophicRegexNoMatch", [a100k] { return absl::StrCat(R"({"s":")", a100k, R"(b"})"); }, "", {}},
      {"CatastrophicRegexMatch", [a100k] { return absl::StrCat(R"({"s":")", a100k, R"("})"); }, "", {"r.regex"}},
      // Not one JSON object.
      {"EmptyInput", [] { return std::string(); }, "invalid JSON"},
      {"NotAnObject", [] { return std::string("[1,2]"); }, "not a JSON object"},
      {"TrailingGarbage", [] { return std::string(R"({"verb":"create"} x)"); }, "invalid JSON"},
      {"TwoObjects", [] { return std::string(R"({"verb":"create"}{"verb":"create"})"); }, "invalid JSON"},
  };
}

// gtest prints parameters in test names (and ctest shows them): the case name says it all.
void PrintTo(const EventCase& c, std::ostream* os) { *os << c.name; }

class HostileEventTest : public ::testing::TestWithParam<EventCase> {};

TEST_P(HostileEventTest, ClearErrorOrCorrectResultThenHealthy) {
  const EventCase& c = GetParam();
  EngineOptions options;
  options.max_event_bytes = c.max_event_bytes;
  std::shared_ptr<const RuleSet> rules = HostileEventRules(options);
  ASSERT_NE(rules, nullptr);
  JsonEventParser parser(options);
  EvalScratch scratch;
  EvalResult result;
  {
    const std::string json = c.make();
    const absl::Status status = rules->EvaluateJson(json, "", parser, scratch, result);
    if (status.ok()) {
      ASSERT_TRUE(c.error.empty() || c.either) << "accepted; expected an error containing: " << c.error;
      EXPECT_THAT(MatchedIds(result), ElementsAreArray(c.matches));
      for (const Match& m : result.matches) {
        EXPECT_LE(m.title.size(), options.max_generated_field_size);
        if (m.rule->id == "r.deep") EXPECT_THAT(m.title, AllOf(StartsWith("deep {'a': {'a': "), HasSubstr("truncated")));
      }
    } else {
      ASSERT_FALSE(c.error.empty()) << "refused; expected a result: " << status;
      EXPECT_THAT(status, StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr(c.error)));
    }
  }
  ExpectStillHealthy(*rules, parser, scratch);
}

INSTANTIATE_TEST_SUITE_P(Limits, HostileEventTest, ::testing::ValuesIn(EventCases()),
                         [](const ::testing::TestParamInfo<EventCase>& info) { return info.param.name; });

// A directory of rule files under the test's temp dir, removed at the end.
class RuleDir {
 public:
  explicit RuleDir(const std::string& name)
      : path_(std::filesystem::path(::testing::TempDir()) / absl::StrCat("limits_", name, "_", ::getpid())) {
    std::filesystem::remove_all(path_);
    std::filesystem::create_directories(path_);
  }
  ~RuleDir() { std::filesystem::remove_all(path_); }
  std::string Write(const std::string& name, const std::string& text) const {
    const std::string file = (path_ / name).string();
    std::ofstream(file, std::ios::binary) << text;
    return file;
  }
  std::string path() const { return path_.string(); }

 private:
  std::filesystem::path path_;
};

// A valid rule file of at least `bytes`: an IsIn over enough 16-character values.
std::string RuleFileOfSize(const std::string& id, size_t bytes) {
  std::string values;
  for (size_t i = 0; values.size() < bytes; ++i) absl::StrAppend(&values, "    - ", absl::Hex(i, absl::kZeroPad16), "\n");
  return absl::StrCat("AnalysisType: rule\nRuleID: ", id, "\nEnabled: true\nLogTypes: [Amazon.EKS.Audit]\n",
                      "Severity: Low\nDetection:\n  - Key: verb\n    Condition: IsIn\n    Values:\n", values);
}

EvalResult Eval(const RuleSet& rules, const std::string& json) {
  JsonEventParser parser(rules.options());
  EvalScratch scratch;
  EvalResult result;
  EXPECT_THAT(rules.EvaluateJson(json, "", parser, scratch, result), IsOk());
  return result;
}

TEST(RuleFileLimitsTest, FileOverMaxRuleFileBytesIsRefusedWithTheLimitNamed) {
  RuleDir dir("over");
  const std::string big = dir.Write("big.yml", RuleFileOfSize("r.big", 10 << 20));
  dir.Write("good.yml", Rule("r.good", "{KeyPath: verb, Condition: Equals, Value: create}"));
  for (OnRuleError mode : {OnRuleError::kAbort, OnRuleError::kSkip}) {
    RuleSetBuilder builder;
    ASSERT_THAT(builder.AddPath(dir.path()), IsOk());
    CompileResult result = std::move(builder).Build(mode);
    ASSERT_EQ(result.issues().size(), 1u) << result.FormatIssues();
    EXPECT_EQ(result.issues()[0].location.file, big);
    EXPECT_THAT(result.issues()[0].message, HasSubstr("over max_rule_file_bytes 4194304"));
    if (mode == OnRuleError::kAbort) {
      EXPECT_EQ(result.rule_set(), nullptr);
    } else {
      ASSERT_NE(result.rule_set(), nullptr);
      EXPECT_EQ(result.rule_set()->size(), 1u);
      EXPECT_THAT(MatchedIds(Eval(*result.rule_set(), kNormalEvent)), ElementsAre("r.good"));
    }
  }
}

TEST(RuleFileLimitsTest, ThreeMegabyteFileLoadsAndEvaluates) {
  RuleDir dir("3mb");
  const std::string text = RuleFileOfSize("r.large", 3 << 20);
  ASSERT_GE(text.size(), 3u << 20);
  dir.Write("large.yml", text);
  RuleSetBuilder builder;
  ASSERT_THAT(builder.AddPath(dir.path()), IsOk());
  CompileResult result = std::move(builder).Build();
  ASSERT_TRUE(result.IsValid()) << result.FormatIssues();
  const RuleSet& rules = *result.rule_set();
  EXPECT_THAT(MatchedIds(Eval(rules, R"({"verb":"000000000000beef"})")), ElementsAre("r.large"));
  EXPECT_THAT(MatchedIds(Eval(rules, R"({"verb":"create"})")), IsEmpty());
}

TEST(RuleFileLimitsTest, EveryDuplicateRuleIdIsReportedAtItsLocation) {
  constexpr int kFiles = 2000;
  const std::string text = Rule("r.same", "{KeyPath: verb, Condition: Equals, Value: create}");
  for (OnRuleError mode : {OnRuleError::kAbort, OnRuleError::kSkip}) {
    RuleSetBuilder builder;
    for (int i = 0; i < kFiles; ++i) builder.AddFile(absl::StrCat("dup_", absl::Dec(i, absl::kZeroPad4), ".yml"), text);
    CompileResult result = std::move(builder).Build(mode);
    ASSERT_EQ(result.issues().size(), kFiles - 1u);
    for (int i = 1; i < kFiles; ++i) {
      const RuleIssue& issue = result.issues()[i - 1];
      EXPECT_EQ(issue.severity, RuleIssue::Severity::kError);
      EXPECT_EQ(issue.location.file, absl::StrCat("dup_", absl::Dec(i, absl::kZeroPad4), ".yml"));
      EXPECT_EQ(issue.location.line, 2);  // RuleID is on line 2.
      EXPECT_THAT(issue.message, HasSubstr("duplicate RuleID \"r.same\" (first defined at dup_0000.yml:2"));
    }
    if (mode == OnRuleError::kAbort) {
      EXPECT_EQ(result.rule_set(), nullptr);
    } else {
      ASSERT_NE(result.rule_set(), nullptr);
      ASSERT_EQ(result.rule_set()->size(), 1u);
      EXPECT_EQ(result.rule_set()->rule(0).location.file, "dup_0000.yml");
      EXPECT_THAT(MatchedIds(Eval(*result.rule_set(), kNormalEvent)), ElementsAre("r.same"));
    }
  }
}

TEST(RuleFileLimitsTest, ThousandsOfDistinctRulesLoadAndEachMatchesItsOwnEvents) {
  constexpr int kRules = 5000;
  RuleSetBuilder builder;
  for (int i = 0; i < kRules; ++i) {
    builder.AddFile(absl::StrCat("r", i, ".yml"),
                    Rule(absl::StrCat("r", i), absl::StrCat("{KeyPath: verb, Condition: Equals, Value: v", i, "}")));
  }
  CompileResult result = std::move(builder).Build();
  ASSERT_TRUE(result.IsValid()) << result.FormatIssues().substr(0, 2000);
  const RuleSet& rules = *result.rule_set();
  ASSERT_EQ(rules.size(), static_cast<size_t>(kRules));
  for (int i : {0, 1, 2499, 4999}) {
    EXPECT_THAT(MatchedIds(Eval(rules, absl::StrCat(R"({"verb":"v)", i, R"("})"))), ElementsAre(absl::StrCat("r", i)));
  }
  EXPECT_THAT(MatchedIds(Eval(rules, R"({"verb":"v5000"})")), IsEmpty());
}

TEST(RuleFileLimitsTest, MoreRulesThanMaxRulesIsAnErrorNamingTheLimit) {
  EngineOptions options;
  options.max_rules = 100;
  RuleSetBuilder builder(options);
  for (int i = 0; i <= 100; ++i) builder.AddFile(absl::StrCat("r", i, ".yml"), Rule(absl::StrCat("r", i), "{Condition: AlwaysTrue}"));
  CompileResult result = std::move(builder).Build(OnRuleError::kAbort);
  EXPECT_FALSE(result.IsValid());
  EXPECT_EQ(result.rule_set(), nullptr);
  EXPECT_THAT(result.FormatIssues(), HasSubstr("101 rules exceed max_rules 100"));
}

// A Detection whose last entry is All: [*e(n-1), *e(n-1)] over n levels: 2^n expressions from ~30n bytes.
std::string AliasExpressionTree(int levels) {
  std::string detection = "&e0 {KeyPath: verb, Condition: Equals, Value: create}";
  for (int i = 1; i <= levels; ++i) absl::StrAppend(&detection, "\n  - &e", i, " {All: [*e", i - 1, ", *e", i - 1, "]}");
  return Rule("r", detection);
}

// A test Log whose lists hold ten aliases of the previous one over n levels: 10^n strings.
std::string AliasTestLog(int levels) {
  std::string log = "      x0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n";
  for (int i = 1; i < levels; ++i) {
    const std::string alias = absl::StrCat("*a", i - 1);
    absl::StrAppend(&log, "      x", i, ": &a", i, " [", alias);
    for (int k = 1; k < 10; ++k) absl::StrAppend(&log, ", ", alias);
    absl::StrAppend(&log, "]\n");
  }
  return Rule("r", "{KeyPath: verb, Condition: Exists}",
              absl::StrCat("Tests:\n  - Name: t\n    ExpectedResult: true\n    Log:\n", log));
}

// Hostile rule texts: each is refused with a clear issue, or loads and evaluates.
struct RuleCase {
  std::string name;
  std::function<std::string()> make;
  std::string issue;  // Expected in FormatIssues(); empty: the rule must load, and match kNormalEvent.
};

std::vector<RuleCase> RuleCases() {
  return {
      {"RegexRepetitionOverRe2Limit",
       [] { return Rule("r", "{Key: s, Condition: Matches, Value: '((a{100}){100}){100}'}"); },
       "rule.yml:7:41: bad regular expression"},
      {"RegexProgramOverMaxRegexProgramSize",
       [] { return Rule("r", "{Key: s, Condition: Matches, Value: '.{1000}.{1000}.{1000}'}"); },
       "rule.yml:7:41: regular expression too large: program size 24004 exceeds max_regex_program_size 10000"},
      {"RegexOverRe2MemoryBudget", [] { return Rule("r", "{Key: s, Condition: Matches, Value: '\\pL{1000}'}"); },
       "rule.yml:7:41: bad regular expression: pattern too large"},
      // yaml-cpp stops at its nesting limit; the rule parser never sees the tree.
      {"YamlFlowNested100000Deep", [] { return Rule("r", Nested(100000, "[", "", "]")); }, "invalid YAML"},
      {"CombinatorsNested5000Deep",
       [] { return Rule("r", Nested(5000, "{All: [", "{KeyPath: verb, Condition: Exists}", "]}")); },
       "invalid YAML"},
      // Under yaml-cpp's limit: compiles and evaluates (recursively) fine.
      {"CombinatorsNested200Deep",
       [] { return Rule("r", Nested(200, "{All: [", "{KeyPath: verb, Condition: Exists}", "]}")); }, ""},
      // YAML aliases repeat what they name: a small file must not expand into billions of nodes.
      // Under the alias expansion bound (kMaxExpandedYamlNodes), the rule's own limits apply.
      {"YamlAliasExpressionTree", [] { return AliasExpressionTree(16); },
       "more than max_rule_expressions 10000 expressions"},
      {"YamlAliasTestLog", [] { return AliasTestLog(6); },
       "Log is larger than 1048576 bytes of JSON (max_event_bytes)"},
      // Over it, the file is refused before it becomes a node tree, at the alias that passes the bound.
      {"YamlAliasesOverExpansionBound", [] { return AliasExpressionTree(24); },
       "invalid YAML: its aliases expand the document to more than 4194304 nodes"},
      {"YamlAliasTestLogOverExpansionBound", [] { return AliasTestLog(9); },
       "invalid YAML: its aliases expand the document to more than 4194304 nodes"},
      // An alias inside its own anchor's node: the tree would be a cycle, and every walk over it endless.
      {"YamlAliasCycleInDetection", [] { return Rule("r", "&e {All: [*e]}"); },
       "rule.yml:7:15: invalid YAML: an alias refers to a node that contains it"},
      {"YamlAliasCycleInTestLog",
       [] {
         return Rule("r", "{KeyPath: verb, Condition: Exists}",
                     "Tests:\n  - Name: t\n    ExpectedResult: true\n    Log: &log {verb: create, self: *log}\n");
       },
       "invalid YAML: an alias refers to a node that contains it"},
      {"YamlAliasOfAFinishedNodeIsFine",
       [] { return Rule("r", "&e {KeyPath: verb, Condition: Exists}\n  - *e"); }, ""},
      {"InvalidUtf8InRuleFile",
       [] { return Rule("r", "{KeyPath: verb, Condition: Equals, Value: \"caf\xe9\"}"); }, "not valid UTF-8"},
      {"NulByteInRuleFile", [] { return std::string("RuleID: r\0x\n", 12); }, "rule.yml:2:2: invalid YAML"},
      {"EmptyFile", [] { return std::string(); }, "rule.yml:1:1: a rule file must be a YAML mapping"},
  };
}

void PrintTo(const RuleCase& c, std::ostream* os) { *os << c.name; }

class HostileRuleTest : public ::testing::TestWithParam<RuleCase> {};

TEST_P(HostileRuleTest, ClearIssueOrLoads) {
  const RuleCase& c = GetParam();
  CompileResult result = test_support::CompileText(c.make());
  if (c.issue.empty()) {
    ASSERT_TRUE(result.IsValid()) << result.FormatIssues();
    EXPECT_THAT(MatchedIds(Eval(*result.rule_set(), kNormalEvent)), ElementsAre("r"));
  } else {
    EXPECT_FALSE(result.IsValid());
    EXPECT_EQ(result.rule_set(), nullptr);
    EXPECT_THAT(result.FormatIssues(), HasSubstr(c.issue));
  }
  // The process is fine: a normal rule set still builds and evaluates.
  std::shared_ptr<const RuleSet> rules = HostileEventRules(EngineOptions());
  ASSERT_NE(rules, nullptr);
  JsonEventParser parser;
  EvalScratch scratch;
  ExpectStillHealthy(*rules, parser, scratch);
}

INSTANTIATE_TEST_SUITE_P(Limits, HostileRuleTest, ::testing::ValuesIn(RuleCases()),
                         [](const ::testing::TestParamInfo<RuleCase>& info) { return info.param.name; });

}  // namespace
}  // namespace detect
