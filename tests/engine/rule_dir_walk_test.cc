// ListRuleFiles and RuleSetBuilder::AddPath over hostile rules directories: symlink loops refused fast with the
// looping path named, depth and directory-count bounds, a directory reached twice walked once, Kubernetes
// ConfigMap layouts (`..data` links) loading, cancellation.
#include "engine/internal/rule_dir_walk.h"

#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>

#include "absl/strings/str_cat.h"
#include "engine/compiler.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"

namespace detect::engine_internal {
namespace {

namespace fs = std::filesystem;
using ::detect::test_support::IsOk;
using ::detect::test_support::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

class RuleDirWalkTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::path(::testing::TempDir()) / absl::StrCat("walk_", ::getpid(), "_",
                                                           ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(root_);
    fs::create_directories(root_ / "rules");
  }
  void TearDown() override { fs::remove_all(root_); }
  std::string Rules() const { return (root_ / "rules").string(); }
  void Write(const std::string& rel, const std::string& text = "x: 1\n") {
    fs::create_directories((root_ / "rules" / rel).parent_path());
    std::ofstream(root_ / "rules" / rel) << text;
  }
  fs::path root_;
};

TEST_F(RuleDirWalkTest, ListsRuleFilesSortedSkippingHiddenAndOtherFiles) {
  Write("b.yml");
  Write("a/z.yaml");
  Write("a/readme.md");
  Write(".hidden.yml");
  Write(".git/x.yml");
  auto files = ListRuleFiles(Rules() + "/", RuleDirWalkOptions());
  ASSERT_THAT(files, IsOk());
  EXPECT_THAT(*files, ElementsAre(Rules() + "/a/z.yaml", Rules() + "/b.yml"));
}

TEST_F(RuleDirWalkTest, TwoSymlinkLoopsAreRefusedFastNamingThePath) {
  Write("r.yml");
  fs::create_directory_symlink("..", root_ / "rules" / "up");  // ln -s .. up
  fs::create_directory_symlink(".", root_ / "rules" / "self");  // ln -s . self
  const auto start = std::chrono::steady_clock::now();
  auto files = ListRuleFiles(Rules(), RuleDirWalkOptions());
  const auto took = std::chrono::steady_clock::now() - start;
  EXPECT_THAT(files, StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("symlink loop")));
  EXPECT_THAT(files.status().message(), HasSubstr(Rules()));
  EXPECT_LT(took, std::chrono::seconds(1));

  RuleSetBuilder builder;  // The loader refuses the directory the same way.
  EXPECT_THAT(builder.AddPath(Rules()), StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("symlink loop")));
}

TEST_F(RuleDirWalkTest, OneSymlinkLoopIsRefused) {
  Write("a/b/r.yml");
  fs::create_directory_symlink("../..", root_ / "rules" / "a" / "b" / "back");
  EXPECT_THAT(ListRuleFiles(Rules(), RuleDirWalkOptions()),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       HasSubstr(Rules() + "/a/b/back is the directory " + Rules() + " again")));
}

TEST_F(RuleDirWalkTest, ADirectoryReachedByTwoLinksIsWalkedOnce) {
  Write("shared/r.yml");
  fs::create_directory_symlink("shared", root_ / "rules" / "link1");
  fs::create_directory_symlink("shared", root_ / "rules" / "link2");
  auto files = ListRuleFiles(Rules(), RuleDirWalkOptions());
  ASSERT_THAT(files, IsOk());
  EXPECT_EQ(files->size(), 1u);
}

TEST_F(RuleDirWalkTest, DepthAndDirectoryCountAreBounded) {
  std::string deep;
  for (int i = 0; i < 33; ++i) deep += "d/";
  Write(deep + "r.yml");
  EXPECT_THAT(ListRuleFiles(Rules(), RuleDirWalkOptions()),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("deeper than 32 directories")));
  RuleDirWalkOptions deeper;
  deeper.max_depth = 33;
  EXPECT_THAT(ListRuleFiles(Rules(), deeper), IsOk());

  RuleDirWalkOptions few;
  few.max_dirs = 10;
  EXPECT_THAT(ListRuleFiles(Rules(), few), StatusIs(absl::StatusCode::kFailedPrecondition,
                                                    HasSubstr("more than 10 directories")));
}

// Kubernetes mounts a ConfigMap as rules/..2024_01/<files>, rules/..data -> ..2024_01, rules/x.yml -> ..data/x.yml.
TEST_F(RuleDirWalkTest, ConfigMapLayoutLoadsThroughItsDataLinks) {
  Write("..2024_01/x.yml");
  Write("..2024_01/y.yaml");
  fs::create_directory_symlink("..2024_01", root_ / "rules" / "..data");
  fs::create_symlink("..data/x.yml", root_ / "rules" / "x.yml");
  fs::create_symlink("..data/y.yaml", root_ / "rules" / "y.yaml");
  auto files = ListRuleFiles(Rules(), RuleDirWalkOptions());
  ASSERT_THAT(files, IsOk());
  EXPECT_THAT(*files, ElementsAre(Rules() + "/x.yml", Rules() + "/y.yaml"));
}

TEST_F(RuleDirWalkTest, CancelledWalkStops) {
  Write("r.yml");
  std::atomic<bool> cancel{true};
  RuleDirWalkOptions options;
  options.cancel = &cancel;
  EXPECT_THAT(ListRuleFiles(Rules(), options), StatusIs(absl::StatusCode::kCancelled, ::testing::_));
  RuleSetBuilder builder;
  builder.SetCancel(&cancel);
  EXPECT_THAT(builder.AddPath(Rules()), StatusIs(absl::StatusCode::kCancelled, ::testing::_));
  RuleSetBuilder with_files;
  with_files.AddFile("r.yml", "AnalysisType: rule\n");
  with_files.SetCancel(&cancel);
  CompileResult result = std::move(with_files).Build();
  EXPECT_FALSE(result.IsValid());
  EXPECT_EQ(result.rule_set(), nullptr);
  EXPECT_THAT(result.FormatIssues(), HasSubstr("rule loading cancelled"));
}

TEST_F(RuleDirWalkTest, MissingRootIsNotFound) {
  EXPECT_THAT(ListRuleFiles(Rules() + "/nope", RuleDirWalkOptions()), StatusIs(absl::StatusCode::kNotFound, ::testing::_));
}

}  // namespace
}  // namespace detect::engine_internal
