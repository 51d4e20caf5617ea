// RuleStore (compile beside, validate, swap) and RuleWatcher (inotify, debounced, ConfigMap swaps).
#include "server/rule_store.h"

#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <thread>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "server/rule_watcher.h"
#include "tests/testing/test_files.h"
#include "tests/testing/eventually.h"
#include "tests/testing/status_matchers.h"

namespace detect::server {
namespace {

using ::detect::test_support::IsOk;
using ::detect::test_support::SimpleRule;
using ::detect::test_support::StatusIs;
using ::detect::test_support::TempDir;
using ::detect::test_support::WriteFile;
using ::testing::HasSubstr;

using ::detect::test_support::Eventually;

TEST(RuleStoreTest, LoadsSwapsAndReportsUnchanged) {
  TempDir dir;
  WriteFile(dir.Sub("one.yml"), SimpleRule("t.one", "verb", "create"));
  Metrics metrics;
  RuleStore store({dir.path(), EngineOptions(), ""}, &metrics);
  EXPECT_EQ(store.Current(), nullptr);
  ASSERT_THAT(store.Reload("test"), IsOk());
  std::shared_ptr<const RuleSet> first = store.Current();
  ASSERT_NE(first, nullptr);
  EXPECT_EQ(first->size(), 1u);

  absl::StatusOr<ReloadOutcome> again = store.Reload("test");
  ASSERT_THAT(again, IsOk());
  EXPECT_EQ(*again, ReloadOutcome::kUnchanged);
  EXPECT_EQ(store.Current(), first);

  WriteFile(dir.Sub("two.yml"), SimpleRule("t.two", "verb", "delete"));
  absl::StatusOr<ReloadOutcome> swapped = store.Reload("test");
  ASSERT_THAT(swapped, IsOk());
  EXPECT_EQ(*swapped, ReloadOutcome::kSuccess);
  EXPECT_EQ(store.Current()->size(), 2u);
  EXPECT_NE(store.Current()->version(), first->version());
  EXPECT_EQ(first->size(), 1u);  // A caller holding the old set still has it, intact.
  EXPECT_EQ(metrics.reloads(ReloadOutcome::kSuccess), 2u);
  EXPECT_EQ(metrics.reloads(ReloadOutcome::kUnchanged), 1u);
}

TEST(RuleStoreTest, RejectedSetKeepsTheServingOne) {
  TempDir dir;
  WriteFile(dir.Sub("one.yml"), SimpleRule("t.one", "verb", "create"));
  Metrics metrics;
  RuleStore store({dir.path(), EngineOptions(), ""}, &metrics);
  ASSERT_THAT(store.Reload("test"), IsOk());
  const std::string version = store.Current()->version();
  WriteFile(dir.Sub("bad.yml"), "AnalysisType: rule\nRuleID: t.bad\nSeverity: Loud\nDetection: []\n");
  EXPECT_THAT(store.Reload("test"), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("bad.yml:")));
  EXPECT_EQ(store.Current()->version(), version);
  EXPECT_EQ(metrics.reloads(ReloadOutcome::kRejected), 1u);
}

TEST(RuleStoreTest, MissingDirectoryIsAnError) {
  RuleStore store({"/nonexistent/rules", EngineOptions(), ""}, nullptr);
  EXPECT_FALSE(store.Reload("test").ok());
  EXPECT_EQ(store.Current(), nullptr);
}

TEST(RuleWatcherTest, DebouncesChangesInTheTree) {
  TempDir dir;
  std::filesystem::create_directory(dir.Sub("sub"));
  std::atomic<int> calls{0};
  auto watcher = RuleWatcher::Start(dir.path(), absl::Milliseconds(200), [&] { ++calls; });
  ASSERT_THAT(watcher, IsOk());
  for (int i = 0; i < 5; ++i) WriteFile(dir.Sub("sub/r.yml"), SimpleRule("t.x", "verb", "v" + std::to_string(i)));
  EXPECT_TRUE(Eventually([&] { return calls.load() >= 1; }));
  std::this_thread::sleep_for(std::chrono::milliseconds(400));
  EXPECT_EQ(calls.load(), 1) << "a burst of writes is one reload";
  std::filesystem::create_directory(dir.Sub("new"));  // A new subdirectory gets watched too.
  EXPECT_TRUE(Eventually([&] { return calls.load() >= 2; }));
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  WriteFile(dir.Sub("new/n.yml"), SimpleRule("t.n", "verb", "x"));
  EXPECT_TRUE(Eventually([&] { return calls.load() >= 3; }));
}

// Kubernetes mounts a ConfigMap as: rules/..2024_01/<files>, rules/..data -> ..2024_01, rules/x.yml ->
// ..data/x.yml; an update writes ..2024_02, points ..data_tmp at it and renames it over ..data.
TEST(RuleWatcherTest, SeesConfigMapSymlinkSwaps) {
  TempDir dir;
  const std::string root = dir.path();
  std::filesystem::create_directory(root + "/..v1");
  WriteFile(root + "/..v1/r.yml", SimpleRule("t.cm", "verb", "create"));
  std::filesystem::create_directory_symlink("..v1", root + "/..data");
  std::filesystem::create_symlink("..data/r.yml", root + "/r.yml");
  Metrics metrics;
  RuleStore store({root, EngineOptions(), ""}, &metrics);
  ASSERT_THAT(store.Reload("test"), IsOk());
  const std::string v1 = store.Current()->version();
  auto watcher = RuleWatcher::Start(root, absl::Milliseconds(100), [&] { (void)store.Reload("watch"); });
  ASSERT_THAT(watcher, IsOk());

  std::filesystem::create_directory(root + "/..v2");
  WriteFile(root + "/..v2/r.yml", SimpleRule("t.cm", "verb", "delete"));
  std::filesystem::create_directory_symlink("..v2", root + "/..data_tmp");
  std::filesystem::rename(root + "/..data_tmp", root + "/..data");
  EXPECT_TRUE(Eventually([&] { return store.Current()->version() != v1; }));
  EXPECT_EQ(store.Current()->size(), 1u);
}

}  // namespace
}  // namespace detect::server
