// Lookup tables and the p_enrichment fields they fill, and the Kubernetes audit views of GKE and AKS records.
#include <filesystem>
#include <fstream>
#include <string>

#include "engine/internal/lookup_table.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/engine_fixtures.h"

namespace detect {
namespace {

namespace fs = std::filesystem;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

class LookupTableTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("detect_lookup_" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    std::ofstream(dir_ / "tor.yml") << "AnalysisType: lookup_table\nLookupName: tor\nEnabled: true\n"
                                       "Filename: tor.csv\nLogTypeMap:\n  PrimaryKey: ip\n  AssociatedLogTypes:\n"
                                       "    - LogType: Amazon.EKS.Audit\n      Selectors: [p_any_ip_addresses]\n";
    std::ofstream(dir_ / "tor.csv") << "ip,note\n1.2.3.4,\"exit, relay\"\n185.220.0.0/16,range\n";
    std::ofstream(dir_ / "rule.yml")
        << "AnalysisType: rule\nRuleID: ioc\nEnabled: true\nLogTypes: [Amazon.EKS.Audit]\nSeverity: High\n"
           "Detection:\n  - {KeyPath: p_enrichment.tor, Condition: IsNotNullOrEmpty}\n"
           "AlertTitle: 'tor {p_enrichment.tor[0]} ({p_enrichment.tor.p_any_ip_addresses[0].note})'\n";
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::vector<std::string> Titles(const std::string& event) {
    RuleSetBuilder builder;
    EXPECT_TRUE(builder.AddPath(dir_.string()).ok());
    CompileResult r = std::move(builder).Build();
    EXPECT_TRUE(r.IsValid()) << r.FormatIssues();
    auto rules = r.ReleaseRuleSet();
    std::vector<std::string> titles;
    for (const Match& m : test_support::EvalJson(*rules, event).matches) titles.push_back(m.title);
    return titles;
  }

  fs::path dir_;
};

TEST_F(LookupTableTest, ExactKeyFillsEnrichment) {
  EXPECT_THAT(Titles(R"({"sourceIPs":["10.0.0.1","1.2.3.4"]})"), ElementsAre("tor 1.2.3.4 (exit, relay)"));
}

TEST_F(LookupTableTest, CidrKeyMatchesAddresses) {
  EXPECT_THAT(Titles(R"({"sourceIPs":["185.220.101.7"]})"), ElementsAre("tor 185.220.101.7 (range)"));
}

TEST_F(LookupTableTest, NoMatchNoEnrichment) { EXPECT_THAT(Titles(R"({"sourceIPs":["8.8.8.8"]})"), ::testing::IsEmpty()); }

TEST_F(LookupTableTest, CallerEnrichmentWins) {
  EXPECT_THAT(Titles(R"({"sourceIPs":["1.2.3.4"],"p_enrichment":{"tor":["9.9.9.9"]}})"), ElementsAre("tor 9.9.9.9 ()"));
}

TEST_F(LookupTableTest, BadDataFileIsAnIssue) {
  std::ofstream(dir_ / "tor.csv") << "ip,note\n1.2.3.4\n";
  RuleSetBuilder builder;
  ASSERT_TRUE(builder.AddPath(dir_.string()).ok());
  CompileResult r = std::move(builder).Build();
  EXPECT_THAT(r.FormatIssues(), HasSubstr("CSV row 2 has 1 fields; the header has 2"));
}

TEST(CsvTest, QuotesCommasAndNewlines) {
  auto json = engine_internal::CsvToJsonRows("a,b\r\n\"x,1\",\"say \"\"hi\"\"\"\n\"multi\nline\",2\n");
  ASSERT_TRUE(json.ok()) << json.status();
  EXPECT_EQ(*json, R"([{"a":"x,1","b":"say \"hi\""},{"a":"multi\nline","b":"2"}])");
  EXPECT_FALSE(engine_internal::CsvToJsonRows("a\n\"open").ok());
}

constexpr char kViewRule[] = R"(AnalysisType: rule
RuleID: view
Enabled: true
LogTypes: [Amazon.EKS.Audit, GCP.AuditLog, Azure.MonitorActivity]
Severity: Low
Detection:
  - {Key: verb, Condition: Equals, Value: create}
AlertTitle: '{user.username} {verb} {objectRef.resource}/{objectRef.subresource|-} {objectRef.namespace}/{objectRef.name} from {sourceIPs[0]} code {responseStatus.code|-} {annotations["authorization.k8s.io/decision"]|-} {p_source_label}'
)";

std::vector<std::string> ViewTitles(const std::string& event) {
  auto rules = test_support::MustCompile(kViewRule);
  std::vector<std::string> titles;
  for (const Match& m : test_support::EvalJson(*rules, event).matches) titles.push_back(m.title);
  return titles;
}

TEST(KubernetesViewTest, GkeRecordReadsAsAuditEvent) {
  EXPECT_THAT(ViewTitles(R"({"p_log_type":"GCP.AuditLog","p_source_label":"gke","protoPayload":{
      "serviceName":"k8s.io","methodName":"io.k8s.core.v1.pods.exec.create",
      "resourceName":"core/v1/namespaces/prod/pods/db/exec",
      "authenticationInfo":{"principalEmail":"eve@example.com"},
      "requestMetadata":{"callerIP":"8.8.8.8","callerSuppliedUserAgent":"kubectl"},
      "authorizationInfo":[{"granted":true}],"status":{"code":7}}})"),
              ElementsAre("eve@example.com create pods/exec prod/db from 8.8.8.8 code 7 allow gke"));
}

TEST(KubernetesViewTest, GkeRecordOfAnotherServiceIsLeftAlone) {
  EXPECT_THAT(ViewTitles(R"({"p_log_type":"GCP.AuditLog","verb":"create","protoPayload":{"serviceName":"compute.googleapis.com",
      "methodName":"io.k8s.core.v1.pods.create"}})"),
              ElementsAre(" create /- / from  code - - "));
}

TEST(KubernetesViewTest, AksRecordReadsItsEmbeddedAuditEvent) {
  EXPECT_THAT(ViewTitles(R"({"p_log_type":"Azure.MonitorActivity","category":"kube-audit","p_source_label":"aks",
      "properties":{"log":"{\"verb\":\"create\",\"user\":{\"username\":\"bob\"},\"sourceIPs\":[\"1.1.1.1\"],\"objectRef\":{\"resource\":\"pods\",\"namespace\":\"default\",\"name\":\"p\"}}"}})"),
              ElementsAre("bob create pods/- default/p from 1.1.1.1 code - - aks"));
}

TEST(KubernetesViewTest, AksRecordWithBrokenLogIsLeftAlone) {
  EXPECT_THAT(ViewTitles(R"({"p_log_type":"Azure.MonitorActivity","category":"kube-audit","properties":{"log":"{oops"}})"),
              ::testing::IsEmpty());
}

}  // namespace
}  // namespace detect
