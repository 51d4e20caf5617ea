// CheckRuleCount (empty sets and mass drops refused) and RuleStore applying it: a refused set keeps the serving
// one and counts as rejected.
#include "server/rule_guard.h"

#include <optional>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "server/rule_store.h"
#include "tests/testing/test_files.h"
#include "tests/testing/status_matchers.h"

namespace detect::server {
namespace {

using ::detect::test_support::IsOk;
using ::detect::test_support::SimpleRule;
using ::detect::test_support::StatusIs;
using ::detect::test_support::TempDir;
using ::detect::test_support::WriteFile;
using ::testing::HasSubstr;

struct GuardCase {
  std::string name;
  std::optional<size_t> serving;
  size_t next;
  RuleGuardOptions options;
  bool ok;
};

class CheckRuleCountTest : public ::testing::TestWithParam<GuardCase> {};

TEST_P(CheckRuleCountTest, AcceptsOrRefuses) {
  const GuardCase& c = GetParam();
  const absl::Status s = CheckRuleCount(c.serving, c.next, c.options);
  if (c.ok) {
    EXPECT_THAT(s, IsOk());
  } else {
    EXPECT_THAT(s, StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("--allow_empty_rules")));
  }
}

const RuleGuardOptions kDefault;
const RuleGuardOptions kAllow{true, 0.5};
const RuleGuardOptions kNoDropBound{false, 1.0};
const RuleGuardOptions kTenth{false, 0.1};

INSTANTIATE_TEST_SUITE_P(
    Cases, CheckRuleCountTest,
    ::testing::Values(GuardCase{"StartupEmpty", std::nullopt, 0, kDefault, false},
                      GuardCase{"StartupEmptyAllowed", std::nullopt, 0, kAllow, true},
                      GuardCase{"StartupOne", std::nullopt, 1, kDefault, true},
                      GuardCase{"ReloadToEmpty", 33, 0, kDefault, false},
                      GuardCase{"ReloadToEmptyNoDropBoundStillRefused", 33, 0, kNoDropBound, false},
                      GuardCase{"ReloadToEmptyAllowed", 33, 0, kAllow, true},
                      GuardCase{"HalfDroppedIsTheBound", 100, 50, kDefault, true},
                      GuardCase{"MoreThanHalfDropped", 100, 49, kDefault, false},
                      GuardCase{"MoreThanHalfDroppedAllowed", 100, 49, kAllow, true},
                      GuardCase{"MoreThanHalfDroppedNoBound", 100, 1, kNoDropBound, true},
                      GuardCase{"TenthBound", 100, 89, kTenth, false},
                      GuardCase{"Growth", 3, 300, kDefault, true},
                      GuardCase{"FromEmptyAllowedToSome", 0, 5, kDefault, true}),
    [](const ::testing::TestParamInfo<GuardCase>& info) { return info.param.name; });

TEST(RuleStoreGuardTest, EmptyDirectoryIsRefusedAtStartupUnlessAllowed) {
  TempDir dir;
  Metrics metrics;
  RuleStore store({dir.path(), EngineOptions(), ""}, &metrics);
  EXPECT_THAT(store.Reload("startup"), StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("empty")));
  EXPECT_EQ(store.Current(), nullptr);
  EXPECT_EQ(metrics.reloads(ReloadOutcome::kRejected), 1u);

  RuleStore allowed({dir.path(), EngineOptions(), "", RuleGuardOptions{true, 0.5}}, &metrics);
  EXPECT_THAT(allowed.Reload("startup"), IsOk());
  ASSERT_NE(allowed.Current(), nullptr);
  EXPECT_EQ(allowed.Current()->size(), 0u);
}

TEST(RuleStoreGuardTest, ReloadDroppingMostRulesKeepsTheServingSet) {
  TempDir dir;
  for (int i = 0; i < 4; ++i) {
    WriteFile(dir.Sub("r" + std::to_string(i) + ".yml"), SimpleRule("t." + std::to_string(i), "verb", "create"));
  }
  Metrics metrics;
  RuleStore store({dir.path(), EngineOptions(), ""}, &metrics);
  ASSERT_THAT(store.Reload("startup"), IsOk());
  std::filesystem::remove(dir.Sub("r0.yml"));
  std::filesystem::remove(dir.Sub("r1.yml"));
  ASSERT_THAT(store.Reload("half"), IsOk());  // 4 -> 2: exactly half, accepted.
  EXPECT_EQ(store.Current()->size(), 2u);
  std::filesystem::remove(dir.Sub("r2.yml"));  // 2 -> 1: half again, accepted.
  ASSERT_THAT(store.Reload("half again"), IsOk());
  std::filesystem::remove(dir.Sub("r3.yml"));  // 1 -> 0: refused.
  EXPECT_THAT(store.Reload("empty"), StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("empty")));
  EXPECT_EQ(store.Current()->size(), 1u);
  EXPECT_EQ(metrics.reloads(ReloadOutcome::kRejected), 1u);
  EXPECT_THAT(metrics.RenderPrometheus(), HasSubstr("detectd_rules_loaded 1\n"));
}

}  // namespace
}  // namespace detect::server
