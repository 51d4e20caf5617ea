// StringTable (common/string_table.h): every key is found under its id, nothing else is, whatever the
// keys' lengths and however many share the bytes the hash reads.
#include "common/string_table.h"

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"

namespace detect {
namespace {

void ExpectExactly(const std::vector<std::string>& keys, const std::vector<std::string>& misses) {
  const StringTable table(keys);
  ASSERT_EQ(table.size(), keys.size());
  for (size_t i = 0; i < keys.size(); ++i) {
    EXPECT_EQ(table.Find(keys[i]), static_cast<int>(i)) << keys[i];
    EXPECT_EQ(table.key(static_cast<int>(i)), keys[i]);
  }
  for (const std::string& miss : misses) EXPECT_EQ(table.Find(miss), -1) << miss;
}

TEST(StringTableTest, FindsKeysOfEveryLength) {
  ExpectExactly({"", "a", "ab", "abc", "pods", "verb", "secrets", "objectRef", "system:node:", "system:serviceaccount:"},
                {"b", "abd", "Pods", "pod", "podss", "secret", "system:node", "system:serviceaccount", "objectref"});
}

TEST(StringTableTest, KeysSharingTheHashedBytesAreToldApart) {
  // Same length, same first and last eight bytes: every key hashes alike and they share one probe chain.
  std::vector<std::string> keys;
  for (int i = 0; i < 100; ++i) keys.push_back(absl::StrCat("system:n", 1000 + i, "ode:ip-10"));
  ExpectExactly(keys, {"system:n0999ode:ip-10", "system:n1100ode:ip-10", "system:nXXXXode:ip-10", "system:n"});
}

TEST(StringTableTest, EmptyTableFindsNothing) {
  const StringTable table;
  EXPECT_TRUE(table.empty());
  EXPECT_EQ(table.Find(""), -1);
  EXPECT_EQ(table.Find("pods"), -1);
}

}  // namespace
}  // namespace detect
