// The detectctl binary against an in-process detectd: evaluate and stream print exactly what the offline
// `detectctl eval` prints for the same input, typed or --raw, from NDJSON or a Kubernetes EventList; rules
// lists the rule set; bad lines are reported by position.
#include <cstdlib>
#include <fstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/integration/test_server.h"
#include "tests/testing/run_binary.h"
#include "tests/testing/test_files.h"

namespace detect::test_support {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::Not;

// detectctl of this build with `args` (a shell command line's words, so "- < file" works).
Output RunDetectctl(const std::string& args) { return RunShell(std::string(DETECTCTL_PATH) + " " + args); }

class DetectctlTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    server_ = new TestServer(TestOptions("rules"));
    address_ = new std::string("127.0.0.1:" + std::to_string(server_->daemon->port()));
    offline_ = new Output(RunDetectctl("eval --rules rules --format ndjson tests/testdata/seed_events.ndjson"));
  }
  static void TearDownTestSuite() {
    delete server_;
    delete address_;
    delete offline_;
  }
  static std::string Online(const std::string& command, const std::string& flags, const std::string& file) {
    return command + " --server " + *address_ + " --progress=false " + flags + " " + file;
  }
  static TestServer* server_;
  static std::string* address_;
  static Output* offline_;
};
TestServer* DetectctlTest::server_ = nullptr;
std::string* DetectctlTest::address_ = nullptr;
Output* DetectctlTest::offline_ = nullptr;

TEST_F(DetectctlTest, EvaluateAndStreamPrintWhatEvalPrints) {
  ASSERT_EQ(offline_->exit_code, 0) << offline_->err;
  ASSERT_THAT(offline_->out, HasSubstr("\"rule_id\": \"Amazon.EKS.AnonymousAPIAccess\""));
  for (const char* command : {"evaluate", "stream"}) {
    for (const char* flags : {"--format ndjson", "--format ndjson --typed", "--format ndjson --raw",
                              "--format ndjson --batch_size 1", "--format ndjson --typed --batch_size 1"}) {
      Output o = RunDetectctl(Online(command, flags, "tests/testdata/seed_events.ndjson"));
      EXPECT_EQ(o.exit_code, 0) << command << " " << flags << ": " << o.err;
      EXPECT_EQ(o.out, offline_->out) << command << " " << flags;
      EXPECT_THAT(o.err, HasSubstr("events=4 ")) << command << " " << flags;
    }
  }
}

TEST_F(DetectctlTest, ReadsAKubernetesEventListDocument) {
  TempDir dir;
  const std::string path = dir.Sub("list.json");
  std::ofstream(path) << "{\n  \"kind\": \"EventList\",\n  \"apiVersion\": \"audit.k8s.io/v1\",\n  \"items\": [\n"
                      << absl::StrJoin(SeedEvents(), ",\n") << "\n  ]\n}\n";
  for (const char* command : {"evaluate", "stream"}) {
    Output o = RunDetectctl(Online(command, "--format ndjson", path));
    EXPECT_EQ(o.exit_code, 0) << o.err;
    EXPECT_EQ(o.out, offline_->out) << command;
  }
}

// One table of input shapes through eval, evaluate and stream: every command reads every shape, and prints
// the same (text table and NDJSON alike); the same input read by the three gives the same bytes.
TEST_F(DetectctlTest, EveryInputShapeReadsTheSameThroughEvalEvaluateAndStream) {
  TempDir dir;
  const std::vector<std::string> seed = SeedEvents();
  std::string pretty_array = "[\n";
  for (size_t i = 0; i < seed.size(); ++i) absl::StrAppend(&pretty_array, "  ", seed[i], i + 1 < seed.size() ? ",\n" : "\n");
  pretty_array += "]\n";
  const struct {
    const char* name;
    std::string text;
    const char* shape;
  } inputs[] = {
      {"ndjson", absl::StrJoin(seed, "\n") + "\n", "input=NDJSON"},
      {"eventlist", "{\n  \"kind\": \"EventList\",\n  \"apiVersion\": \"audit.k8s.io/v1\",\n  \"items\": [\n" +
                        absl::StrJoin(seed, ",\n") + "\n  ]\n}\n", "input=EventList"},
      {"eventlist_one_line", "{\"kind\":\"EventList\",\"items\":[" + absl::StrJoin(seed, ",") + "]}\n", "input=EventList"},
      {"array", pretty_array, "input=array"},
  };
  for (const char* format : {"text", "ndjson"}) {
    const std::string flags = std::string("--format ") + format;
    Output reference = RunDetectctl("eval --rules rules " + flags + " tests/testdata/seed_events.ndjson");
    ASSERT_EQ(reference.exit_code, 0) << reference.err;
    for (const auto& input : inputs) {
      const std::string path = dir.Sub(input.name);
      std::ofstream(path) << input.text;
      Output eval = RunDetectctl("eval --rules rules " + flags + " " + path);
      EXPECT_EQ(eval.exit_code, 0) << input.name << ": " << eval.err;
      EXPECT_EQ(eval.out, reference.out) << "eval " << input.name;
      EXPECT_THAT(eval.err, HasSubstr(input.shape)) << input.name;
      Output piped = RunDetectctl("eval --rules rules " + flags + " - < " + path);
      EXPECT_EQ(piped.out, reference.out) << "eval - < " << input.name;
      for (const char* command : {"evaluate", "stream"}) {
        Output o = RunDetectctl(Online(command, flags, path));
        EXPECT_EQ(o.exit_code, 0) << command << " " << input.name << ": " << o.err;
        EXPECT_EQ(o.out, reference.out) << command << " " << input.name;
      }
    }
  }
  // One pretty-printed event.
  const std::string one = dir.Sub("one.json");
  std::ofstream(one) << "{\n  " << seed[0].substr(1) << "\n";
  Output eval_one = RunDetectctl("eval --rules rules --format ndjson " + one);
  EXPECT_EQ(eval_one.exit_code, 0) << eval_one.err;
  EXPECT_THAT(eval_one.err, HasSubstr("events=1 "));
  EXPECT_THAT(eval_one.out, HasSubstr("\"rule_id\": \"Amazon.EKS.AnonymousAPIAccess\""));
  for (const char* command : {"evaluate", "stream"}) {
    EXPECT_EQ(RunDetectctl(Online(command, "--format ndjson", one)).out, eval_one.out) << command;
  }
}

TEST_F(DetectctlTest, InputThatIsNotEventsFailsEveryCommand) {
  TempDir dir;
  const std::string path = dir.Sub("broken.json");
  std::ofstream(path) << "{\n  \"verb\": \"get\",\n  broken\n}\n";
  Output eval = RunDetectctl("eval --rules rules " + path);
  EXPECT_EQ(eval.exit_code, 1);
  EXPECT_THAT(eval.err, HasSubstr("is neither NDJSON"));
  for (const char* command : {"evaluate", "stream"}) {
    Output o = RunDetectctl(Online(command, "", path));
    EXPECT_EQ(o.exit_code, 1) << command;
    EXPECT_THAT(o.err, HasSubstr("is neither NDJSON")) << command;
  }
}

TEST_F(DetectctlTest, TextTableAndBadLinesByPosition) {
  TempDir dir;
  const std::string path = dir.Sub("events.ndjson");
  const std::vector<std::string> seed = SeedEvents();
  std::ofstream(path) << seed[0] << "\n\n{\"verb\": broken\n" << seed[3] << "\n";
  Output o = RunDetectctl(Online("stream", "", path));
  EXPECT_EQ(o.exit_code, 1);
  EXPECT_THAT(o.out, HasSubstr("LINE     SEVERITY RULE_ID"));
  EXPECT_THAT(o.out, HasSubstr("Failed Anonymous EKS Access Attempt(s) Detected"));
  EXPECT_THAT(o.err, HasSubstr("line 2: invalid JSON"));  // Blank lines are not counted.
  EXPECT_THAT(o.err, HasSubstr("events=3 "));
}

TEST_F(DetectctlTest, RulesListsTheRuleSet) {
  Output o = RunDetectctl("rules --server " + *address_);
  EXPECT_EQ(o.exit_code, 0) << o.err;
  EXPECT_THAT(o.out, HasSubstr("Amazon.EKS.AnonymousAPIAccess"));
  EXPECT_THAT(o.err, HasSubstr("version=" + server_->daemon->rule_store().Current()->version()));
}

// One naming across JSON outputs: snake_case keys, severities as rules write them.
TEST_F(DetectctlTest, JsonOutputsShareOneNaming) {
  Output rules = RunDetectctl("rules --format json --server " + *address_);
  EXPECT_EQ(rules.exit_code, 0) << rules.err;
  EXPECT_THAT(rules.out, HasSubstr("\"rule_id\":\"Amazon.EKS.AnonymousAPIAccess\""));
  EXPECT_THAT(rules.out, HasSubstr("\"severity\":\"Low\""));
  EXPECT_THAT(rules.out, Not(HasSubstr("ruleId")));
  EXPECT_THAT(rules.out, Not(HasSubstr("SEVERITY_")));
  Output describe = RunDetectctl("describe --format json --server " + *address_ + " Amazon.EKS.AnonymousAPIAccess");
  EXPECT_EQ(describe.exit_code, 0) << describe.err;
  EXPECT_THAT(describe.out, AllOf(HasSubstr("\"rule_id\":"), HasSubstr("\"indexed_by\":"), Not(HasSubstr("SEVERITY_"))));
  Output test = RunDetectctl("test --format json rules/aws_eks");
  EXPECT_THAT(test.out, AllOf(HasSubstr("\"rule_id\""), Not(HasSubstr("ruleId"))));
  // The rules table is as wide as its content: no cell runs into the next column.
  Output table = RunDetectctl("rules --server " + *address_);
  for (const std::string& line : std::vector<std::string>(absl::StrSplit(table.out, '\n'))) {
    if (line.empty()) continue;
    EXPECT_THAT(line, ::testing::MatchesRegex("^[^ ]+ +[A-Za-z_]+ +(yes|no|ENABLED) +[^ ]+  .*")) << line;
  }
}

TEST_F(DetectctlTest, BenchReportsThroughputAndLatency) {
  for (const char* mode : {"stream", "unary"}) {
    Output o = RunDetectctl(std::string("bench --server ") + *address_ + " --mode " + mode +
                   " --duration 0.5 --concurrency 2 --batch_size 50 tests/testdata/seed_events.ndjson");
    EXPECT_EQ(o.exit_code, 0) << o.err;
    EXPECT_THAT(o.out, HasSubstr("events_per_second="));
    EXPECT_THAT(o.out, HasSubstr("p99="));
    EXPECT_THAT(o.out, HasSubstr("failed_calls=0"));
  }
}

TEST_F(DetectctlTest, UnreachableServerFails) {
  Output o = RunDetectctl("evaluate --server 127.0.0.1:1 --timeout 2 tests/testdata/seed_events.ndjson");
  EXPECT_EQ(o.exit_code, 1);
  EXPECT_THAT(o.err, HasSubstr("gRPC code 14"));
}

TEST(DetectctlTlsHint, PlaintextClientOfATlsServerIsToldAboutTls) {
  TempDir certs;
  ASSERT_EQ(std::system(("bash " + SourceDir() + "/tests/integration/make_test_certs.sh " + certs.path()).c_str()), 0)
      << "openssl (a test dependency) could not make certificates";
  server::DaemonOptions options = TestOptions("rules");
  options.tls_cert = certs.Sub("server.pem");
  options.tls_key = certs.Sub("server.key");
  TestServer server(std::move(options));
  ASSERT_NE(server.daemon, nullptr);
  const std::string address = "127.0.0.1:" + std::to_string(server.daemon->port());
  Output plain = RunDetectctl("rules --timeout 5 --server " + address);
  EXPECT_EQ(plain.exit_code, 1);
  EXPECT_THAT(plain.err, HasSubstr("hint: " + address + " closed the connection; if it serves TLS, add --tls"));
  Output tls = RunDetectctl("rules --timeout 5 --server " + address + " --tls_ca " + certs.Sub("ca.pem") +
                            " --tls_server_name localhost");
  EXPECT_EQ(tls.exit_code, 0) << tls.err;
  // An unreachable port is not a TLS problem: no hint.
  Output refused = RunDetectctl("rules --timeout 5 --server 127.0.0.1:1");
  EXPECT_EQ(refused.exit_code, 1);
  EXPECT_THAT(refused.err, Not(HasSubstr("hint:")));
}

}  // namespace
}  // namespace detect::test_support
