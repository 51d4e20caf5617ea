// The detectctl binary against an in-process detectd: evaluate and stream print exactly what the offline
// `detectctl eval` prints for the same input, typed or --raw, from NDJSON or a Kubernetes EventList; rules
// lists the rule set; bad lines are reported by position.
#include <sys/wait.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>

#include "absl/strings/str_join.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/integration/test_server.h"
#include "tests/server/test_files.h"

namespace detect::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

struct Output {
  int exit_code = -1;
  std::string out;
  std::string err;
};

Output RunDetectctl(const std::string& args) {
  TempDir dir;
  const std::string err_file = dir.Sub("stderr");
  const std::string cmd = std::string(DETECTCTL_PATH) + " " + args + " 2>" + err_file;
  Output o;
  FILE* p = ::popen(cmd.c_str(), "r");
  if (p == nullptr) return o;
  char buf[4096];
  for (size_t n; (n = std::fread(buf, 1, sizeof(buf), p)) > 0;) o.out.append(buf, n);
  const int status = ::pclose(p);
  o.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  std::ifstream in(err_file);
  o.err.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  return o;
}

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
    for (const char* flags : {"--format ndjson", "--format ndjson --raw", "--format ndjson --batch_size 1"}) {
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
}  // namespace detect::testing
