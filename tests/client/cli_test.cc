// What a user sees at the command line of detectctl and detectd: help (general and per command, exit 0),
// --version from the build, dashes in flag names, "did you mean" for commands, flags, --format values and
// rule ids, and errors that name the problem (a missing file says so).
#include <fstream>
#include <regex>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/run_binary.h"
#include "version/program_help.h"

namespace detect::test_support {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kSeed[] = "tests/testdata/seed_events.ndjson";

Output Detectctl(const std::string& args) { return RunShell(std::string(DETECTCTL_PATH) + " " + args); }

TEST(Nearest, SuggestsTyposButNotUnrelatedWords) {
  EXPECT_EQ(version::EditDistance("kitten", "sitting"), 3u);
  EXPECT_EQ(version::Nearest("evl", {"test", "eval", "evaluate"}), "eval");
  EXPECT_EQ(version::Nearest("rulez", {"rules", "format"}), "rules");
  EXPECT_EQ(version::Nearest("conc", {"concurrency", "rules"}), "concurrency");
  EXPECT_EQ(version::Nearest("xyzzy", {"rules", "format"}), "");
}

TEST(DetectctlHelp, GeneralHelpListsEveryCommandAndExitsZero) {
  for (const char* args : {"help", "--help", "-h"}) {
    Output o = Detectctl(args);
    EXPECT_EQ(o.exit_code, 0) << args << ": " << o;
    EXPECT_THAT(o.out, AllOf(HasSubstr("Usage: detectctl COMMAND"), HasSubstr("  eval "), HasSubstr("  test "),
                             HasSubstr("detectctl help COMMAND")))
        << args;
    EXPECT_THAT(o.out, Not(HasSubstr("absl"))) << args;
  }
  Output none = Detectctl("");
  EXPECT_EQ(none.exit_code, 2) << none;
  EXPECT_THAT(none.err, HasSubstr("Usage: detectctl COMMAND"));
}

TEST(DetectctlHelp, CommandHelpListsOnlyThatCommandsFlagsWithExamples) {
  for (const char* args : {"eval --help", "eval -h", "help eval", "--help eval"}) {
    Output o = Detectctl(args);
    EXPECT_EQ(o.exit_code, 0) << args << ": " << o;
    EXPECT_THAT(o.out, AllOf(HasSubstr("Usage: detectctl eval --rules PATH"), HasSubstr("  --rules"),
                             HasSubstr("  --threads (default: 1)"), HasSubstr("Output format: text | ndjson"),
                             HasSubstr("Examples:\n  detectctl eval --rules rules/")))
        << args;
    EXPECT_THAT(o.out, AllOf(Not(HasSubstr("--concurrency")), Not(HasSubstr("--tls_ca")))) << args;
  }
  Output test = Detectctl("help test");
  EXPECT_THAT(test.out, AllOf(HasSubstr("Output format: text | json | junit"), Not(HasSubstr("--threads"))));
}

TEST(DetectctlHelp, VersionComesFromTheBuild) {
  Output o = Detectctl("--version");
  EXPECT_EQ(o.exit_code, 0) << o;
  EXPECT_TRUE(std::regex_search(o.out, std::regex(R"(^detectctl \d+\.\d+\.\d+ \(git [^ )]+\)\n$)"))) << o.out;
  EXPECT_THAT(o.out, Not(HasSubstr("NDEBUG")));
}

TEST(DetectctlErrors, UnknownCommandAndFlagGetASuggestion) {
  Output cmd = Detectctl("evl --rules rules x");
  EXPECT_EQ(cmd.exit_code, 2);
  EXPECT_THAT(cmd.err, HasSubstr("unknown command \"evl\" (did you mean \"eval\"?)"));
  Output help = Detectctl("help evl");
  EXPECT_EQ(help.exit_code, 2);
  EXPECT_THAT(help.err, HasSubstr("did you mean \"eval\""));
  Output flag = Detectctl(std::string("eval --rulez rules ") + kSeed);
  EXPECT_EQ(flag.exit_code, 2) << flag;
  EXPECT_THAT(flag.err, HasSubstr("unknown flag --rulez (did you mean --rules?)"));
  Output other = Detectctl(std::string("eval --rules rules --mode unary ") + kSeed);
  EXPECT_EQ(other.exit_code, 2) << other;
  EXPECT_THAT(other.err, HasSubstr("--mode is not a flag of eval (it is one of: bench)"));
}

TEST(DetectctlErrors, UnknownFormatListsTheValues) {
  Output o = Detectctl("test --format xml rules");
  EXPECT_EQ(o.exit_code, 2) << o;
  EXPECT_THAT(o.err, HasSubstr("unknown --format \"xml\"; test prints: text, json, junit"));
}

TEST(DetectctlFlags, DashesAndUnderscoresAreTheSameFlag) {
  Output dashes = Detectctl(std::string("eval --rules rules --log-type Amazon.EKS.Audit --skip-invalid ") + kSeed);
  Output underscores = Detectctl(std::string("eval --rules rules --log_type Amazon.EKS.Audit --skip_invalid ") + kSeed);
  EXPECT_EQ(dashes.exit_code, 0) << dashes;
  EXPECT_EQ(dashes.out, underscores.out);
  EXPECT_THAT(dashes.out, HasSubstr("Amazon.EKS.AnonymousAPIAccess"));
}

// --json_read picks how JSON events are read; both reads print the same matches, and a bad value is refused.
TEST(DetectctlFlags, JsonReadOnDemandPrintsWhatTheDomPrints) {
  const std::string args = std::string(" --rules rules --format ndjson ") + kSeed;
  Output dom = Detectctl("eval --json_read dom" + args);
  Output ondemand = Detectctl("eval --json_read ondemand" + args);
  EXPECT_EQ(dom.exit_code, 0) << dom;
  EXPECT_EQ(ondemand.exit_code, 0) << ondemand;
  EXPECT_THAT(dom.out, HasSubstr("Amazon.EKS.AnonymousAPIAccess"));
  EXPECT_EQ(dom.out, ondemand.out);
  Output bad = Detectctl("eval --json_read sax" + args);
  EXPECT_NE(bad.exit_code, 0) << bad;
  EXPECT_THAT(bad.err, HasSubstr("--json_read must be dom or ondemand, not \"sax\""));
  Output test = Detectctl("test --json_read sax rules");
  EXPECT_EQ(test.exit_code, 2) << test;
  EXPECT_THAT(test.err, HasSubstr("--json_read must be dom or ondemand"));
}

TEST(DetectctlErrors, MissingFilesSayNoSuchFileOrDirectory) {
  for (const std::string& args : {std::string("eval --rules rules /nonexistent/events.ndjson"),
                                  std::string("eval --rules /nonexistent/rules ") + kSeed,
                                  std::string("test /nonexistent/rules")}) {
    Output o = Detectctl(args);
    EXPECT_EQ(o.exit_code, 1) << args << ": " << o;
    EXPECT_THAT(o.err + o.out, HasSubstr("No such file or directory")) << args;
  }
}

TEST(DetectctlInput, ReadsFromAPipe) {
  Output file = Detectctl(std::string("eval --rules rules --format ndjson ") + kSeed);
  Output pipe = RunShell(std::string("cat ") + kSeed + " | " + DETECTCTL_PATH +
                         " eval --rules rules --format ndjson /dev/stdin");
  EXPECT_EQ(pipe.exit_code, 0) << pipe;
  EXPECT_EQ(pipe.out, file.out);
  EXPECT_THAT(pipe.out, HasSubstr("Amazon.EKS.AnonymousAPIAccess"));
}

TEST(DetectctlErrors, DescribeSuggestsTheNearestRuleId) {
  Output o = Detectctl("describe --rules rules Amazon.EKS.AnonymousAPIAcces");
  EXPECT_EQ(o.exit_code, 1) << o;
  EXPECT_THAT(o.err, HasSubstr("(did you mean Amazon.EKS.AnonymousAPIAccess?)"));
}

TEST(DetectctlExplain, PrintsTheTreeAndWhatDecided) {
  TempDir dir;
  const std::string event = dir.Sub("event.json");
  RunShell(std::string("sed -n 2p ") + kSeed + " > " + event);  // Not anonymous: the first condition fails.
  Output text = Detectctl("explain --rules rules Amazon.EKS.AnonymousAPIAccess " + event);
  EXPECT_EQ(text.exit_code, 0) << text;
  EXPECT_THAT(text.out, AllOf(HasSubstr("Amazon.EKS.AnonymousAPIAccess: no match"),
                              HasSubstr("false user.username eq \"system:anonymous\"    [user.username = "),
                              HasSubstr("Result: no match: Detection #1 is false")));
  Output json = Detectctl("explain --rules rules --format json Amazon.EKS.AnonymousAPIAccess " + event);
  EXPECT_EQ(json.exit_code, 0) << json;
  EXPECT_THAT(json.out, AllOf(HasSubstr("\"matched\":false"), HasSubstr("\"key\":\"user.username\"")));
  Output all = Detectctl(std::string("explain --rules rules Amazon.EKS.AnonymousAPIAccess ") + kSeed);
  EXPECT_THAT(all.out, AllOf(HasSubstr("event 1\n"), HasSubstr("event 4\n")));
  Output unknown = Detectctl("explain --rules rules Amazon.EKS.AnonymousAPIAcess " + event);
  EXPECT_EQ(unknown.exit_code, 1);
  EXPECT_THAT(unknown.err, HasSubstr("did you mean Amazon.EKS.AnonymousAPIAccess?"));
}

// A rule whose second test is wrong, with two tests both expecting true.
constexpr char kRuleWithAWrongTest[] = R"(AnalysisType: rule
RuleID: Test.Verb.Delete
Enabled: true
LogTypes: [Amazon.EKS.Audit]
Severity: Low
Detection:
  - Key: verb
    Condition: Equals
    Value: delete
Tests:
  - Name: delete matches
    ExpectedResult: true
    Log: {"verb": "delete"}
  - Name: get matches (wrong)
    ExpectedResult: true
    Log: {"verb": "get"}
)";

TEST(DetectctlTest, ExplainFilterAndMinimumTests) {
  TempDir dir;
  { std::ofstream(dir.Sub("rule.yml")) << kRuleWithAWrongTest; }
  Output explained = Detectctl("test --explain " + dir.path());
  EXPECT_EQ(explained.exit_code, 1) << explained;
  EXPECT_THAT(explained.out, AllOf(HasSubstr("[Explain]"), HasSubstr("false verb eq \"delete\"    [verb = \"get\"]")));
  Output json = Detectctl("test --explain --format json " + dir.path());
  EXPECT_THAT(json.out, HasSubstr("\"explanation\":{\"rule_id\":\"Test.Verb.Delete\""));

  Output filtered = Detectctl("test --filter 'Amazon.EKS.*' rules");
  EXPECT_EQ(filtered.exit_code, 0) << filtered;
  EXPECT_THAT(filtered.out, AllOf(HasSubstr("Amazon.EKS.AnonymousAPIAccess"), Not(HasSubstr("Kubernetes.Pod."))));
  Output none = Detectctl("test --filter No.Such.Rule rules");
  EXPECT_EQ(none.exit_code, 1);
  EXPECT_THAT(none.out, HasSubstr("no rule matches --filter No.Such.Rule"));

  // Two tests, but both expect true: --minimum-tests 2 wants a false case too; 3 wants a third test.
  Output two = Detectctl("test --minimum-tests 2 --filter Test.Verb.Delete " + dir.path());
  EXPECT_EQ(two.exit_code, 1);
  EXPECT_THAT(two.out, HasSubstr("rule Test.Verb.Delete: no test expecting false"));
  Output three = Detectctl("test --minimum-tests=3 " + dir.path());
  EXPECT_THAT(three.out, HasSubstr("rule Test.Verb.Delete: 2 tests, fewer than --minimum-tests 3"));
  Output bundled = Detectctl("test --minimum-tests 2 --filter Amazon.EKS.AnonymousAPIAccess rules");
  EXPECT_EQ(bundled.exit_code, 0) << bundled;
}

#ifdef DETECTD_PATH
Output Detectd(const std::string& args) { return RunShell(std::string(DETECTD_PATH) + " " + args); }

TEST(DetectdCommandLine, HelpIsReadableAndExitsZero) {
  for (const char* args : {"--help", "-h", "--helpfull"}) {
    Output o = Detectd(args);
    EXPECT_EQ(o.exit_code, 0) << args << ": " << o;
    EXPECT_THAT(o.out, AllOf(HasSubstr("Usage: detectd --rules DIR"), HasSubstr("  --listen (default: 0.0.0.0:50051)"),
                             HasSubstr("  --tls_cert\n")))
        << args;
    // No abseil internals, no headings naming source files.
    EXPECT_THAT(o.out, AllOf(Not(HasSubstr("--flagfile")), Not(HasSubstr("Flags from")), Not(HasSubstr(".cc"))));
  }
}

TEST(DetectdCommandLine, VersionAndUnknownFlag) {
  Output v = Detectd("--version");
  EXPECT_EQ(v.exit_code, 0) << v;
  EXPECT_TRUE(std::regex_search(v.out, std::regex(R"(^detectd \d+\.\d+\.\d+ \(git [^ )]+\)\n$)"))) << v.out;
  Output bad = Detectd("--rules rules --lisen 127.0.0.1:0");
  EXPECT_EQ(bad.exit_code, 2) << bad;
  EXPECT_THAT(bad.err, HasSubstr("unknown flag --lisen (did you mean --listen?)"));
}
#endif

}  // namespace
}  // namespace detect::test_support
