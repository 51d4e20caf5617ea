// The rules directory as a bad day leaves it, against a real detectd (issue 12, items 4 and 9): an empty
// directory or a reload that drops most rules is refused (the serving rules stay, `detectd_rules_loaded` says
// how many serve); directory symlink loops are refused quickly; SIGTERM during a long reload exits promptly.
#include <signal.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "tests/reliability/detectd_process.h"
#include "tests/testing/test_files.h"

namespace detect::test_support {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

std::unique_ptr<DetectdProcess> StartOrFail(const std::vector<std::string>& flags) {
  std::string error;
  std::unique_ptr<DetectdProcess> p = DetectdProcess::Start(flags, &error);
  EXPECT_NE(p, nullptr) << error;
  return p;
}

double Reloads(const DetectdProcess& d, const char* outcome) {
  return d.Metric(absl::StrCat("detectd_rule_reloads_total{outcome=\"", outcome, "\"}"));
}

TEST(RuleGuardTest, AnEmptyRulesDirectoryIsRefusedAtStartupUnlessAllowed) {
  TempDir tmp;
  fs::create_directory(tmp.Sub("empty"));
  std::string error;
  std::unique_ptr<DetectdProcess> refused = DetectdProcess::Start({"--rules=" + tmp.Sub("empty")}, &error);
  ASSERT_EQ(refused, nullptr) << "detectd served an empty rule set";
  EXPECT_TRUE(absl::StrContains(error, "the rule set is empty")) << error;
  EXPECT_TRUE(absl::StrContains(error, "--allow_empty_rules")) << error;

  std::unique_ptr<DetectdProcess> allowed = StartOrFail({"--rules=" + tmp.Sub("empty"), "--allow_empty_rules"});
  ASSERT_NE(allowed, nullptr);
  EXPECT_EQ(allowed->Metric("detectd_rules_loaded"), 0) << allowed->Metrics();
  EXPECT_TRUE(absl::StrContains(allowed->Log(), "every detection is off")) << allowed->Log();
  EXPECT_EQ(allowed->ServingField("rules"), 0);
}

TEST(RuleGuardTest, AReloadThatEmptiesOrGutsTheRuleSetIsRefusedAndTheRulesKeepServing) {
  TempDir tmp;
  const std::string rules = tmp.Sub("rules");
  CopyTree(SourceDir() + "/rules", rules);
  std::unique_ptr<DetectdProcess> d = StartOrFail({"--rules=" + rules, "--watch_rules=false"});
  ASSERT_NE(d, nullptr);
  const double serving = d->Metric("detectd_rules_loaded");
  ASSERT_GT(serving, 10) << d->Metrics();
  EXPECT_EQ(d->ServingField("rules"), static_cast<int>(serving));

  // Every rule file but 5 removed (the data models and lookups stay): far more than half dropped.
  int kept = 0;
  for (const fs::directory_entry& e : fs::directory_iterator(rules + "/aws_eks")) {
    if (++kept > 5) fs::remove(e.path());
  }
  double rejected = Reloads(*d, "rejected");
  ASSERT_TRUE(d->Signal(SIGHUP));
  ASSERT_TRUE(Eventually([&] { return Reloads(*d, "rejected") > rejected; })) << d->Log();
  EXPECT_EQ(d->Metric("detectd_rules_loaded"), serving);
  EXPECT_TRUE(absl::StrContains(d->Log(), "over --max_rule_drop_fraction 0.5")) << d->Log();

  // Every rule gone (ConfigMap emptied): refused too.
  fs::remove_all(rules + "/aws_eks");
  rejected = Reloads(*d, "rejected");
  ASSERT_TRUE(d->Signal(SIGHUP));
  ASSERT_TRUE(Eventually([&] { return Reloads(*d, "rejected") > rejected; })) << d->Log();
  EXPECT_EQ(d->Metric("detectd_rules_loaded"), serving);
  EXPECT_TRUE(absl::StrContains(d->Log(), "the rule set is empty")) << d->Log();
  EXPECT_EQ(Reloads(*d, "success"), 1) << "only the startup load may have succeeded";

  ASSERT_TRUE(d->Signal(SIGTERM));
  ASSERT_TRUE(d->WaitExit(std::chrono::seconds(30))) << d->Log();
  EXPECT_EQ(d->exit_status(), 0) << d->Log();
}

TEST(RuleGuardTest, AllowEmptyRulesLetsAReloadEmptyTheSet) {
  TempDir tmp;
  const std::string rules = tmp.Sub("rules");
  CopyTree(SourceDir() + "/rules", rules);
  std::unique_ptr<DetectdProcess> d =
      StartOrFail({"--rules=" + rules, "--watch_rules=false", "--allow_empty_rules"});
  ASSERT_NE(d, nullptr);
  fs::remove_all(rules + "/aws_eks");
  ASSERT_TRUE(d->Signal(SIGHUP));
  ASSERT_TRUE(Eventually([&] { return d->Metric("detectd_rules_loaded") == 0; })) << d->Log();
  EXPECT_EQ(Reloads(*d, "rejected"), 0);
}

// `ln -s .. up; ln -s . self` in the rules directory: the loader used to recurse forever (RSS +100 MB/s) and
// SIGTERM then waited on the stuck reload. Now the reload is refused at once, naming the loop, and the rules
// keep serving.
TEST(RulesDirectoryWalkTest, SymlinkLoopsAreRefusedFastAndTheRulesKeepServing) {
  TempDir tmp;
  const std::string rules = tmp.Sub("rules");
  CopyTree(SourceDir() + "/rules", rules);
  std::unique_ptr<DetectdProcess> d = StartOrFail({"--rules=" + rules, "--watch_debounce_ms=100"});
  ASSERT_NE(d, nullptr);
  const double serving = d->Metric("detectd_rules_loaded");
  const long rss_before = d->RssKb();
  const double errors = Reloads(*d, "error");
  const auto start = Clock::now();
  fs::create_directory_symlink("..", rules + "/up");
  fs::create_directory_symlink(".", rules + "/self");
  ASSERT_TRUE(d->Signal(SIGHUP));
  ASSERT_TRUE(Eventually([&] { return Reloads(*d, "error") > errors; }, std::chrono::seconds(20))) << d->Log();
  const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  const long rss_after = d->RssKb();
  EXPECT_TRUE(absl::StrContains(d->Log(), "rules directory has a symlink loop")) << d->Log();
  EXPECT_EQ(d->Metric("detectd_rules_loaded"), serving);
  if (!kSanitizerBuild) EXPECT_LT(rss_after - rss_before, 50 * 1024) << "RSS grew by " << rss_after - rss_before << " KB";
  std::printf("LOOPS refused after %.2f s (watcher and SIGHUP); RSS %.1f -> %.1f MB\n", seconds, rss_before / 1024.0,
              rss_after / 1024.0);
  const auto term = Clock::now();
  ASSERT_TRUE(d->Signal(SIGTERM));
  ASSERT_TRUE(d->WaitExit(std::chrono::seconds(20))) << d->Log();
  EXPECT_EQ(d->exit_status(), 0) << d->Log();
  std::printf("LOOPS SIGTERM to exit %.2f s\n", std::chrono::duration<double>(Clock::now() - term).count());
}

// 1,500 rules of 10 regexes each (2 to 8 s to compile here). A reload of them is timed uncancelled first; then
// a second one is interrupted by SIGTERM: detectd must cancel it and exit promptly. Before, the signal loop ran
// the reload itself and SIGTERM waited for it to end.
TEST(RulesDirectoryWalkTest, SigtermDuringALongReloadExitsPromptly) {
  TempDir tmp;
  const std::string rules = tmp.Sub("rules");
  CopyTree(SourceDir() + "/rules", rules);
  std::unique_ptr<DetectdProcess> d = StartOrFail({"--rules=" + rules, "--watch_rules=false"});
  ASSERT_NE(d, nullptr);
  auto write_big = [&](int generation) {
    fs::create_directories(rules + "/big");
    for (int i = 0; i < 1500; ++i) {
      std::string text = absl::StrCat("AnalysisType: rule\nRuleID: big.", i, "\nEnabled: true\n",
                                      "LogTypes: [Amazon.EKS.Audit]\nSeverity: Low\nDetection:\n");
      for (int j = 0; j < 10; ++j) {
        absl::StrAppend(&text, "  - KeyPath: requestObject.spec.c", j, "\n    Condition: Matches\n",
                        "    Value: '^(foo|bar|baz)[a-z]{2,9}", i, "x", j, "g", generation, "(qux|quux)+$'\n");
      }
      WriteFile(absl::StrCat(rules, "/big/r", i, ".yml"), text);
    }
  };
  write_big(1);
  auto reload_started = [&](int n) {
    const std::string log = d->Log();
    int count = 0;
    for (size_t at = log.find("reloading rules"); at != std::string::npos; at = log.find("reloading rules", at + 1)) ++count;
    return count >= n;
  };
  auto start = Clock::now();
  ASSERT_TRUE(d->Signal(SIGHUP));
  ASSERT_TRUE(Eventually([&] { return Reloads(*d, "success") >= 2; }, std::chrono::seconds(200))) << d->Log();
  const double full = std::chrono::duration<double>(Clock::now() - start).count();

  write_big(2);
  ASSERT_TRUE(d->Signal(SIGHUP));
  ASSERT_TRUE(Eventually([&] { return reload_started(2); }, std::chrono::seconds(30))) << d->Log();
  start = Clock::now();
  ASSERT_TRUE(d->Signal(SIGTERM));
  ASSERT_TRUE(d->WaitExit(std::chrono::seconds(200))) << d->Log();
  const double exit_seconds = std::chrono::duration<double>(Clock::now() - start).count();
  EXPECT_EQ(d->exit_status(), 0) << d->Log();
  std::printf("RELOAD uncancelled %.2f s; SIGTERM during the next one: exit after %.2f s\n", full, exit_seconds);
  // The reload was cut short, not finished: cancelled in the log, and no third "rules loaded" (startup, the
  // first reload). Shutdown itself takes about 2 s (the HTTP endpoint's stop poll), hence the 5 s floor.
  const std::string log = d->Log();
  EXPECT_TRUE(absl::StrContains(log, "rule reload cancelled: shutting down") ||
              absl::StrContains(log, "rule loading cancelled"))
      << log;
  int loaded = 0;
  for (size_t at = log.find("\"msg\":\"rules loaded\""); at != std::string::npos;
       at = log.find("\"msg\":\"rules loaded\"", at + 1)) {
    ++loaded;
  }
  EXPECT_EQ(loaded, 2) << log;
  EXPECT_LT(exit_seconds, std::max(full / 2, 5.0)) << log;
}

}  // namespace
}  // namespace detect::test_support
