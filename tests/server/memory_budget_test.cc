// The default resource quota from a cgroup memory limit (v2, v1, none), read from fake cgroup trees.
#include "server/memory_budget.h"

#include <filesystem>

#include "gtest/gtest.h"
#include "tests/testing/test_files.h"

namespace detect::server {
namespace {

using ::detect::test_support::TempDir;
using ::detect::test_support::WriteFile;

TEST(MemoryBudgetTest, CgroupV2LimitGivesHalf) {
  TempDir root;
  WriteFile(root.Sub("memory.max"), "536870912\n");
  EXPECT_EQ(CgroupMemoryLimitBytes(root.path()), int64_t{512} << 20);
  EXPECT_EQ(DefaultMemoryQuotaBytes(CgroupMemoryLimitBytes(root.path())), int64_t{256} << 20);
}

TEST(MemoryBudgetTest, CgroupV2WithoutLimitGivesTheDefault) {
  TempDir root;
  WriteFile(root.Sub("memory.max"), "max\n");
  EXPECT_EQ(CgroupMemoryLimitBytes(root.path()), 0);
  EXPECT_EQ(DefaultMemoryQuotaBytes(0), kDefaultMemoryQuotaBytes);
}

TEST(MemoryBudgetTest, CgroupV1LimitAndItsUnlimitedValue) {
  TempDir root;
  std::filesystem::create_directory(root.Sub("memory"));
  WriteFile(root.Sub("memory/memory.limit_in_bytes"), "1073741824\n");
  EXPECT_EQ(CgroupMemoryLimitBytes(root.path()), int64_t{1} << 30);
  WriteFile(root.Sub("memory/memory.limit_in_bytes"), "9223372036854771712\n");
  EXPECT_EQ(CgroupMemoryLimitBytes(root.path()), 0);
}

TEST(MemoryBudgetTest, NoCgroupFilesMeansNoLimit) {
  TempDir root;
  EXPECT_EQ(CgroupMemoryLimitBytes(root.path()), 0);
  EXPECT_EQ(CgroupMemoryLimitBytes(root.Sub("absent")), 0);
}

}  // namespace
}  // namespace detect::server
