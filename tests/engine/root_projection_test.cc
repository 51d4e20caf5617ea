// The root projection (engine/eval/root_projection.h): key slots, and rule sets that read enough top-level
// keys to project an event's root decide exactly as a direct read of the document would.
#include "engine/eval/root_projection.h"

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "engine/compiler.h"
#include "engine/json_event.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/engine_fixtures.h"

namespace detect::engine_internal {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

TEST(RootKeysTest, FindsEveryKeyAndNothingElse) {
  std::vector<std::string> keys = {"", "a", "verb", "objectRef", "p_any_ip_addresses", "x.y"};
  for (int i = 0; i < 200; ++i) keys.push_back(absl::StrCat("k", i));  // Collisions in a 1024-bucket table.
  const RootKeys table(keys);
  ASSERT_EQ(table.size(), keys.size());
  for (size_t i = 0; i < keys.size(); ++i) EXPECT_EQ(table.Find(keys[i]), static_cast<int>(i)) << keys[i];
  for (absl::string_view miss : {"b", "Verb", "verbs", "objectref", "k200", "k", "x", "p_any_ip_addresse"}) {
    EXPECT_EQ(table.Find(miss), -1) << miss;
  }
}

// One rule reading ten top-level keys (enough to project), and one reading a key no other rule reads.
std::shared_ptr<const RuleSet> ProjectingRules() {
  std::string wide = "  - {Key: verb, Condition: Equals, Value: create}\n";
  for (const char* key : {"stage", "level", "auditID", "requestURI", "userAgent", "kind", "apiVersion", "user"}) {
    absl::StrAppend(&wide, "  - {Key: ", key, ", Condition: Exists}\n");
  }
  return test_support::MustCompile(
      absl::StrCat("AnalysisType: rule\nRuleID: wide\nEnabled: true\nLogTypes: [Amazon.EKS.Audit]\n"
                   "Severity: Low\nAlertTitle: '{verb} by {user.username}'\nDetection:\n",
                   wide));
}

std::vector<std::string> Titles(const RuleSet& rules, const std::string& event) {
  JsonEventParser parser;
  EvalScratch scratch;
  EvalResult result;
  EXPECT_TRUE(rules.EvaluateJson(event, "", parser, scratch, result).ok());
  std::vector<std::string> titles;
  for (const Match& m : result.matches) titles.push_back(m.title);
  return titles;
}

constexpr char kMembers[] =
    R"("stage":"ResponseComplete","level":"Metadata","auditID":"1","requestURI":"/api","userAgent":"kubectl",)"
    R"("kind":"Event","apiVersion":"audit.k8s.io/v1","user":{"username":"alice"})";

TEST(RootProjectionTest, ProjectedRootsDecideAsTheDocumentReads) {
  auto rules = ProjectingRules();
  ASSERT_NE(rules, nullptr);
  EXPECT_THAT(Titles(*rules, absl::StrCat(R"({"verb":"create",)", kMembers, "}")), ElementsAre("create by alice"));
  // Duplicate keys: the last wins, in the projection as in the document.
  EXPECT_THAT(Titles(*rules, absl::StrCat(R"({"verb":"get",)", kMembers, R"(,"verb":"create"})")),
              ElementsAre("create by alice"));
  EXPECT_THAT(Titles(*rules, absl::StrCat(R"({"verb":"create",)", kMembers, R"(,"verb":"get"})")), IsEmpty());
  // A member the rules need is missing: no match; members nobody reads change nothing.
  EXPECT_THAT(Titles(*rules, R"({"verb":"create"})"), IsEmpty());
  EXPECT_THAT(Titles(*rules, absl::StrCat(R"({"other":1,"verb":"create","more":[1,{"verb":"get"}],)", kMembers, "}")),
              ElementsAre("create by alice"));
}

// Keys below a top-level object (objectRef.resource, objectRef.subresource) are memoized by the projection's pass;
// one absent from the object reads as missing, and a repeated top-level key forgets the earlier object's keys.
TEST(RootProjectionTest, KeysBelowTopLevelObjectsDecideAsTheDocumentReads) {
  std::string wide = "  - {KeyPath: objectRef.resource, Condition: Equals, Value: pods}\n";
  for (const char* key : {"stage", "level", "auditID", "requestURI", "userAgent", "kind", "apiVersion", "verb"}) {
    absl::StrAppend(&wide, "  - {Key: ", key, ", Condition: Exists}\n");
  }
  auto rules = test_support::MustCompile(
      absl::StrCat("AnalysisType: rule\nRuleID: wide\nEnabled: true\nLogTypes: [Amazon.EKS.Audit]\n"
                   "Severity: Low\nAlertTitle: '{objectRef.resource} {objectRef.subresource|none}'\n"
                   "Detection:\n", wide));
  ASSERT_NE(rules, nullptr);
  const auto event = [](absl::string_view object_refs) {
    return absl::StrCat(R"({"verb":"get",)", kMembers, ",", object_refs, "}");
  };
  EXPECT_THAT(Titles(*rules, event(R"("objectRef":{"resource":"pods","subresource":"exec"})")), ElementsAre("pods exec"));
  EXPECT_THAT(Titles(*rules, event(R"("objectRef":{"resource":"pods"})")), ElementsAre("pods none"));
  EXPECT_THAT(Titles(*rules, event(R"("objectRef":{"name":"a","resource":"secrets","resource":"pods"})")),
              ElementsAre("pods none"));
  EXPECT_THAT(Titles(*rules, event(R"("objectRef":{"resource":"pods","subresource":"exec"},"objectRef":{"resource":"pods"})")),
              ElementsAre("pods none"));
  EXPECT_THAT(Titles(*rules, event(R"("objectRef":{"resource":"pods","subresource":"exec"},"objectRef":"x")")), IsEmpty());
  EXPECT_THAT(Titles(*rules, event(R"("objectRef":"x","objectRef":{"resource":"pods","subresource":"log"})")),
              ElementsAre("pods log"));
  EXPECT_THAT(Titles(*rules, event(R"("objectRef":[{"resource":"pods"}])")), IsEmpty());
  EXPECT_THAT(Titles(*rules, event(R"("other":{"resource":"pods"})")), IsEmpty());
  // The same scratch across events: nothing of one event's objectRef is left for the next.
  JsonEventParser parser;
  EvalScratch scratch;
  for (const char* refs : {R"("objectRef":{"resource":"pods","subresource":"exec"})", R"("objectRef":{"resource":"pods"})",
                           R"("objectRef":{"resource":"secrets"})"}) {
    EvalResult result;
    ASSERT_TRUE(rules->EvaluateJson(event(refs), "", parser, scratch, result).ok());
    std::vector<std::string> titles;
    for (const Match& m : result.matches) titles.push_back(m.title);
    EXPECT_EQ(titles, Titles(*rules, event(refs))) << refs;
  }
}

// With p_log_type among the projected keys, the root is projected before the log type is known; a GKE record's
// Kubernetes view then replaces the event, and nothing the projection of the raw record memoized may show.
TEST(RootProjectionTest, AViewReplacingTheEventForgetsTheRawProjection) {
  std::string wide = "  - {Key: verb, Condition: Equals, Value: create}\n  - {Key: p_log_type, Condition: Exists}\n";
  for (const char* key : {"level", "auditID", "apiVersion", "requestReceivedTimestamp", "stageTimestamp",
                          "impersonatedUser", "p_source_label"}) {  // Keys the view does not add.
    absl::StrAppend(&wide, "  - {Key: ", key, ", Condition: IsNullOrEmpty}\n");
  }
  auto rules = test_support::MustCompile(
      absl::StrCat("AnalysisType: rule\nRuleID: wide\nEnabled: true\n"
                   "LogTypes: [GCP.AuditLog, Amazon.EKS.Audit]\nSeverity: Low\n"
                   "AlertTitle: '{verb} {objectRef.resource}'\nDetection:\n", wide));
  ASSERT_NE(rules, nullptr);
  // The raw record's own "verb" and "objectRef" are replaced by the view's.
  constexpr char kGke[] = R"({"p_log_type":"GCP.AuditLog","verb":"get","objectRef":{"resource":"secrets"},)"
                          R"("protoPayload":{"serviceName":"k8s.io","methodName":"io.k8s.core.v1.pods.create",)"
                          R"("resourceName":"core/v1/namespaces/default/pods/web"}})";
  // The view's verb and objectRef (from methodName and resourceName), not the raw record's.
  EXPECT_THAT(Titles(*rules, kGke), ElementsAre("create pods"));
  JsonEventParser parser;
  EvalScratch scratch;
  // An EKS record read first, then the GKE one with the same scratch; the view's verb and objectRef decide.
  for (const char* event : {R"({"p_log_type":"Amazon.EKS.Audit","verb":"create","objectRef":{"resource":"pods"}})",
                            kGke}) {
    EvalResult result;
    ASSERT_TRUE(rules->EvaluateJson(event, "", parser, scratch, result).ok());
    std::vector<std::string> titles;
    for (const Match& m : result.matches) titles.push_back(m.title);
    EXPECT_EQ(titles, Titles(*rules, event)) << event;
  }
  EXPECT_THAT(Titles(*rules, R"({"p_log_type":"Amazon.EKS.Audit","verb":"create","objectRef":{"resource":"pods"}})"),
              ElementsAre("create pods"));
}

}  // namespace
}  // namespace detect::engine_internal
