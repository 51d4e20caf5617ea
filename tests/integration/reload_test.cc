// Hot reload: under sustained unary and streaming load no call fails and every batch sees exactly one rule set;
// a rejected set keeps the old one serving; file changes are picked up by the watcher.
#include <atomic>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/integration/test_server.h"
#include "tests/testing/test_files.h"

namespace detect::test_support {
namespace {

using ::testing::HasSubstr;

// Events whose verb is "get" (the seed's 3rd and 4th events) match the one rule of each version.
std::string RuleFor(const std::string& id) { return SimpleRule(id, "verb", "get"); }

// Rule ids matched in `response`, for checking them against the rule set it names.
std::set<std::string> MatchedRules(const v1::EvaluateResponse& response) {
  std::set<std::string> ids;
  for (const v1::EventResult& r : response.results()) {
    for (const v1::Match& m : r.matches()) ids.insert(m.rule_id());
  }
  return ids;
}

TEST(ReloadTest, ReloadUnderLoadFailsNoCall) {
  TempDir dir;
  WriteFile(dir.Sub("rule.yml"), RuleFor("t.alpha"));
  TestServer server(TestOptions(dir.path()));
  ASSERT_NE(server.daemon, nullptr);
  std::map<std::string, std::string> rule_of_version;
  rule_of_version[server.daemon->rule_store().Current()->version()] = "t.alpha";
  WriteFile(dir.Sub("rule.yml"), RuleFor("t.beta"));
  ASSERT_TRUE(server.daemon->Reload("test").ok());
  rule_of_version[server.daemon->rule_store().Current()->version()] = "t.beta";
  ASSERT_EQ(rule_of_version.size(), 2u);

  std::atomic<bool> stop{false};
  std::atomic<int> calls{0}, failures{0}, wrong{0};
  std::mutex mu;
  std::set<std::string> versions_seen;
  auto check = [&](const v1::EvaluateResponse& response) {
    auto it = rule_of_version.find(response.rule_set_version());
    const bool ok = response.results_size() == 4 && it != rule_of_version.end() &&
                    MatchedRules(response) == std::set<std::string>{it->second};
    if (!ok) ++wrong;
    std::lock_guard<std::mutex> lock(mu);
    versions_seen.insert(response.rule_set_version());
  };
  std::vector<std::thread> load;
  for (int t = 0; t < 2; ++t) {
    load.emplace_back([&] {
      auto stub = v1::DetectionService::NewStub(Connect(server.daemon->port()));
      while (!stop) {
        grpc::ClientContext ctx;
        v1::EvaluateResponse response;
        if (!stub->Evaluate(&ctx, MakeRequest(SeedEvents(), false), &response).ok()) ++failures;
        else check(response);
        ++calls;
      }
    });
  }
  load.emplace_back([&] {
    grpc::ClientContext ctx;
    auto stream = server.stub->StreamEvaluate(&ctx);
    v1::EvaluateResponse response;
    while (!stop) {
      if (!stream->Write(MakeRequest(SeedEvents(), true)) || !stream->Read(&response)) {
        ++failures;
        break;
      }
      check(response);
      ++calls;
    }
    stream->WritesDone();
    if (!stream->Finish().ok()) ++failures;
  });
  for (int i = 0; i < 20; ++i) {
    if (i % 5 == 4) {  // Now and then a broken set: rejected, nothing changes.
      WriteFile(dir.Sub("rule.yml"), "AnalysisType: rule\nRuleID: t.broken\nDetection: [\n");
      EXPECT_FALSE(server.daemon->Reload("test").ok());
    }
    WriteFile(dir.Sub("rule.yml"), RuleFor(i % 2 == 0 ? "t.alpha" : "t.beta"));
    EXPECT_TRUE(server.daemon->Reload("test").ok());
    std::this_thread::sleep_for(std::chrono::milliseconds(25));
  }
  stop = true;
  for (std::thread& t : load) t.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(wrong.load(), 0) << "a batch mixed rule sets or named the wrong one";
  EXPECT_GT(calls.load(), 20);
  EXPECT_EQ(versions_seen.size(), 2u);
  EXPECT_GE(server.daemon->metrics().reloads(server::ReloadOutcome::kRejected), 4u);
}

TEST(ReloadTest, RejectedReloadKeepsTheOldRulesAndTheWatcherPicksUpTheFix) {
  TempDir dir;
  WriteFile(dir.Sub("rule.yml"), RuleFor("t.alpha"));
  server::DaemonOptions options = TestOptions(dir.path());
  options.watch_rules = true;
  TestServer server(options);
  ASSERT_NE(server.daemon, nullptr);
  const std::string version = server.daemon->rule_store().Current()->version();

  WriteFile(dir.Sub("broken.yml"), "AnalysisType: rule\nRuleID: t.broken\nSeverity: Loud\nDetection: []\n");
  ASSERT_TRUE(Eventually([&] {
    return server.daemon->metrics().reloads(server::ReloadOutcome::kRejected) >= 1;
  }));
  EXPECT_EQ(server.daemon->rule_store().Current()->version(), version);
  grpc::ClientContext ctx;
  v1::EvaluateResponse response;
  ASSERT_TRUE(server.stub->Evaluate(&ctx, MakeRequest(SeedEvents(), false), &response).ok());
  EXPECT_EQ(response.rule_set_version(), version);
  EXPECT_EQ(MatchedRules(response), std::set<std::string>{"t.alpha"});
  EXPECT_THAT(server.daemon->Reload("test").status().message(), HasSubstr("broken.yml:"));

  WriteFile(dir.Sub("broken.yml"), RuleFor("t.fixed"));
  ASSERT_TRUE(Eventually([&] { return server.daemon->rule_store().Current()->version() != version; }));
  grpc::ClientContext ctx2;
  ASSERT_TRUE(server.stub->Evaluate(&ctx2, MakeRequest(SeedEvents(), false), &response).ok());
  EXPECT_EQ(MatchedRules(response), (std::set<std::string>{"t.alpha", "t.fixed"}));
}

TEST(ReloadTest, StartupRefusesAnInvalidRuleSet) {
  TempDir dir;
  WriteFile(dir.Sub("bad.yml"), "AnalysisType: rule\nRuleID: t.bad\nSeverity: Loud\nDetection: []\n");
  auto daemon = server::Daemon::Start(TestOptions(dir.path()));
  EXPECT_FALSE(daemon.ok());
  EXPECT_THAT(daemon.status().message(), HasSubstr("bad.yml:"));
}

}  // namespace
}  // namespace detect::test_support
