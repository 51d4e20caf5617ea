// The reliability harness itself: a test that fails while a detectd runs must print that detectd's output (its
// log lives in a temp dir that goes away with the test). Checked by running this binary again with one test
// that fails on purpose, and reading what it printed.
#include <sys/wait.h>

#include <cstdio>
#include <cstdlib>
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "tests/reliability/detectd_process.h"

namespace detect::test_support {
namespace {

constexpr char kFailOnPurpose[] = "DETECT_HARNESS_FAIL_ON_PURPOSE";

// Only runs inside the test below (which sets the variable): starts detectd, then fails.
TEST(DetectdProcessTest, FailsOnPurposeWhenAsked) {
  if (std::getenv(kFailOnPurpose) == nullptr) GTEST_SKIP() << "run by PrintsServerOutputWhenATestFails only";
  std::string error;
  std::unique_ptr<DetectdProcess> detectd = DetectdProcess::Start({"--rules=rules"}, &error);
  ASSERT_NE(detectd, nullptr) << error;
  ADD_FAILURE() << "failing on purpose";
}

// Runs the test above in a child process and reads its output: the server's log (its "serving" line, with the
// port it printed) must be there, framed, with how the server stood.
TEST(DetectdProcessTest, PrintsServerOutputWhenATestFails) {
  char self[4096] = {};
  ASSERT_GT(::readlink("/proc/self/exe", self, sizeof(self) - 1), 0);
  const std::string command = absl::StrCat(kFailOnPurpose, "=1 '", self,
                                           "' --gtest_filter=DetectdProcessTest.FailsOnPurposeWhenAsked 2>&1");
  FILE* child = ::popen(command.c_str(), "r");
  ASSERT_NE(child, nullptr);
  std::string out;
  char buf[4096];
  for (size_t n; (n = std::fread(buf, 1, sizeof(buf), child)) > 0;) out.append(buf, n);
  const int status = ::pclose(child);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) != 0) << "the child test should fail:\n" << out;
  EXPECT_TRUE(absl::StrContains(out, "failing on purpose")) << out;
  EXPECT_TRUE(absl::StrContains(out, "==== detectd (pid ")) << out;
  EXPECT_TRUE(absl::StrContains(out, "still running) output")) << out;
  EXPECT_TRUE(absl::StrContains(out, "\"msg\":\"serving\"")) << out;
  EXPECT_TRUE(absl::StrContains(out, "==== end of detectd output")) << out;
}

}  // namespace
}  // namespace detect::test_support
