// EngineEvaluator on the bundled rules: typed and raw events, per-event errors, metadata, ListRules/GetRule.
#include "server/engine_evaluator.h"

#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "proto/audit_event_json.h"
#include "tests/testing/test_files.h"
#include "tests/testing/status_matchers.h"

namespace detect::server {
namespace {

using ::detect::test_support::IsOk;
using ::detect::test_support::SeedEvents;
using ::detect::test_support::StatusIs;
using ::testing::HasSubstr;

const v1::Match* FindMatch(const v1::EventResult& result, const std::string& rule_id) {
  for (const v1::Match& m : result.matches()) {
    if (m.rule_id() == rule_id) return &m;
  }
  return nullptr;
}

constexpr char kSeedRule[] = "Amazon.EKS.AnonymousAPIAccess";

class EngineEvaluatorTest : public ::testing::Test {
 protected:
  // What the service does with a request: serialize (the client), read as a view, evaluate.
  v1::EvaluateResponse Evaluate(const v1::EvaluateRequest& request) {
    bytes_ = request.SerializeAsString();
    RequestView view;
    EXPECT_THAT(ParseRequestView(bytes_, &view), IsOk());
    v1::EvaluateResponse response;
    evaluator_->Evaluate(view, &response);
    return response;
  }
  std::string bytes_;
  void SetUp() override {
    EngineOptions options;
    options.max_event_bytes = 4096;
    store_ = std::make_unique<RuleStore>(RuleStoreOptions{"rules", options, ""}, nullptr);
    ASSERT_THAT(store_->Reload("test"), IsOk());
    evaluator_ = std::make_unique<EngineEvaluator>(store_.get());
  }
  std::unique_ptr<RuleStore> store_;
  std::unique_ptr<EngineEvaluator> evaluator_;
};

TEST_F(EngineEvaluatorTest, SeedEventsTypedAndRawGiveTheSameMatches) {
  for (bool raw : {false, true}) {
    v1::EvaluateRequest request;
    int n = 0;
    for (const std::string& json : SeedEvents()) {
      v1::Event* e = request.add_events();
      e->set_id("e" + std::to_string(++n));
      if (raw) e->set_json(json);
      else ASSERT_THAT(AuditEventFromJson(json, e->mutable_audit_event()), IsOk());
    }
    const v1::EvaluateResponse response = Evaluate(request);
    SCOPED_TRACE(raw ? "raw" : "typed");
    ASSERT_EQ(response.results_size(), 4);
    EXPECT_EQ(response.rule_set_version(), store_->Current()->version());
    EXPECT_EQ(response.results(1).event_id(), "e2");
    EXPECT_EQ(FindMatch(response.results(1), kSeedRule), nullptr);
    for (const v1::EventResult& r : response.results()) EXPECT_FALSE(r.has_error()) << r.error().message();
    ASSERT_NE(FindMatch(response.results(0), kSeedRule), nullptr);
    const v1::Match& m = *FindMatch(response.results(0), kSeedRule);
    EXPECT_EQ(m.severity(), v1::SEVERITY_LOW);
    EXPECT_EQ(m.title(),
              "Anonymous API access detected on Kubernetes API server from [8.8.8.8] to "
              "[/api/v1/namespaces/default/pods/test-pod] on [example-cluster-eks-logs]");
    EXPECT_EQ(m.dedup(), "anonymous_access_example-cluster-eks-logs_kubectl/v1.25.4");
    EXPECT_EQ(m.display_name(), "EKS Anonymous API Access Detected");
    EXPECT_EQ(m.dedup_period_minutes(), 60);
    EXPECT_EQ(m.rule_severity(), v1::SEVERITY_LOW);
    ASSERT_EQ(m.mitre_attack_size(), 1);
    EXPECT_EQ(m.mitre_attack(0).tactic(), "TA0001");
    EXPECT_EQ(m.mitre_attack(0).technique(), "T1190");
    EXPECT_THAT(m.tags(), ::testing::Contains("EKS"));
    ASSERT_EQ(m.summary_attributes_size(), 3);
    EXPECT_EQ(m.summary_attributes(0).name(), "user:username");
    EXPECT_EQ(m.summary_attributes(0).value().string_value(), "system:anonymous");
    EXPECT_EQ(m.summary_attributes(1).value().list_value().values(0).string_value(), "8.8.8.8");
    ASSERT_NE(FindMatch(response.results(2), kSeedRule), nullptr);
    EXPECT_EQ(FindMatch(response.results(2), kSeedRule)->severity(), v1::SEVERITY_INFO);
    EXPECT_EQ(FindMatch(response.results(2), kSeedRule)->dedup(), "no dedup");
    ASSERT_NE(FindMatch(response.results(3), kSeedRule), nullptr);
    EXPECT_EQ(FindMatch(response.results(3), kSeedRule)->title(), "Failed Anonymous EKS Access Attempt(s) Detected");
  }
}

TEST_F(EngineEvaluatorTest, BadEventsGetTheirOwnErrors) {
  v1::EvaluateRequest request;
  request.add_events()->set_json("{not json");
  request.add_events()->set_id("no-payload");
  request.add_events()->set_json(SeedEvents()[0]);
  request.add_events()->set_json("[1,2]");
  request.add_events()->set_json(std::string(5000, ' ') + "{}");
  v1::AuditEvent* big = request.add_events()->mutable_audit_event();
  big->set_request_uri(std::string(5000, 'u'));
  v1::Event* bad_wire = request.add_events();
  bad_wire->set_id("bad-wire");
  bad_wire->mutable_audit_event()->set_verb("get");
  std::string bytes = request.SerializeAsString();
  const v1::EvaluateResponse response = [&] {
    // Patch the last event's AuditEvent bytes: replace `verb` (tag 7<<3|2, len 3, "get") with a length that
    // runs past the end of the message.
    const std::string good = std::string("\x3a\x03get", 5);
    const size_t at = bytes.rfind(good);
    EXPECT_NE(at, std::string::npos);
    bytes[at + 1] = '\x09';
    RequestView view;
    EXPECT_THAT(ParseRequestView(bytes, &view), IsOk());
    v1::EvaluateResponse r;
    evaluator_->Evaluate(view, &r);
    return r;
  }();
  ASSERT_EQ(response.results_size(), 7);
  EXPECT_EQ(response.results(0).error().code(), 3);
  EXPECT_THAT(response.results(0).error().message(), HasSubstr("invalid JSON"));
  EXPECT_EQ(response.results(1).event_id(), "no-payload");
  EXPECT_THAT(response.results(1).error().message(), HasSubstr("no payload"));
  EXPECT_FALSE(response.results(2).has_error());
  EXPECT_NE(FindMatch(response.results(2), kSeedRule), nullptr);
  EXPECT_THAT(response.results(3).error().message(), HasSubstr("not a JSON object"));
  EXPECT_THAT(response.results(4).error().message(), HasSubstr("max_event_bytes 4096"));
  EXPECT_THAT(response.results(5).error().message(), HasSubstr("max_event_bytes 4096"));
  EXPECT_EQ(response.results(6).event_id(), "bad-wire");
  EXPECT_THAT(response.results(6).error().message(), HasSubstr("malformed audit_event"));
}

TEST_F(EngineEvaluatorTest, OmitRuleMetadataKeepsPerEventFields) {
  v1::EvaluateRequest request;
  request.set_omit_rule_metadata(true);
  request.add_events()->set_json(SeedEvents()[0]);
  const v1::EvaluateResponse response = Evaluate(request);
  ASSERT_NE(FindMatch(response.results(0), kSeedRule), nullptr);
  const v1::Match& m = *FindMatch(response.results(0), kSeedRule);
  EXPECT_FALSE(m.title().empty());
  EXPECT_EQ(m.summary_attributes_size(), 3);
  EXPECT_TRUE(m.display_name().empty());
  EXPECT_EQ(m.tags_size(), 0);
}

TEST_F(EngineEvaluatorTest, ListAndGetRules) {
  v1::ListRulesResponse list;
  evaluator_->ListRules(v1::ListRulesRequest(), &list);
  ASSERT_GE(list.rules_size(), 1);
  EXPECT_EQ(list.rule_set_version(), store_->Current()->version());
  EXPECT_GT(list.loaded_at_unix_seconds(), 0);
  v1::ListRulesRequest other;
  other.set_log_type("GCP.AuditLog");
  v1::ListRulesResponse none;
  evaluator_->ListRules(other, &none);
  for (const auto& r : none.rules()) EXPECT_THAT(r.log_types(), ::testing::Contains("GCP.AuditLog"));

  v1::GetRuleRequest get;
  get.set_rule_id("Amazon.EKS.AnonymousAPIAccess");
  v1::GetRuleResponse rule;
  ASSERT_THAT(evaluator_->GetRule(get, &rule), IsOk());
  EXPECT_EQ(rule.rule().severity(), v1::SEVERITY_LOW);
  EXPECT_THAT(rule.rule().source(), HasSubstr("anonymous_api_access.yml:"));
  EXPECT_EQ(rule.rule().summary_attributes_size(), 3);
  EXPECT_GE(rule.rule().test_count(), 4);
  get.set_rule_id("No.Such.Rule");
  EXPECT_THAT(evaluator_->GetRule(get, &rule), StatusIs(absl::StatusCode::kNotFound, HasSubstr("No.Such.Rule")));
}

}  // namespace
}  // namespace detect::server
