// The rules directory as a bad day leaves it, against a real detectd (issue 12, items 4 and 9): an empty
// directory or a reload that drops most rules is refused (the serving rules stay, `detectd_rules_loaded` says
// how many serve); directory symlink loops are refused quickly; SIGTERM during a long reload exits promptly.
#include <signal.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "tests/reliability/detectd_process.h"
#include "tests/server/test_files.h"

namespace detect::testing {
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

}  // namespace
}  // namespace detect::testing
