// Reading the cgroup memory limit: see memory_budget.h.
#include "server/memory_budget.h"

#include <fstream>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"

namespace detect::server {
namespace {

// The first line of `path`, trimmed; empty if unreadable.
std::string FirstLine(const std::string& path) {
  std::ifstream in(path);
  std::string line;
  std::getline(in, line);
  return std::string(absl::StripAsciiWhitespace(line));
}

}  // namespace

int64_t CgroupMemoryLimitBytes(const std::string& cgroup_root) {
  // cgroup v1 reports "no limit" as a huge page-rounded number (9223372036854771712); anything beyond 1 PiB is
  // taken as none.
  constexpr int64_t kUnlimited = int64_t{1} << 50;
  for (const std::string& file : {cgroup_root + "/memory.max", cgroup_root + "/memory/memory.limit_in_bytes"}) {
    const std::string text = FirstLine(file);
    if (text.empty()) continue;
    int64_t bytes = 0;
    if (text == "max" || !absl::SimpleAtoi(text, &bytes) || bytes <= 0 || bytes >= kUnlimited) return 0;
    return bytes;
  }
  return 0;
}

int64_t DefaultMemoryQuotaBytes(int64_t cgroup_limit_bytes) {
  return cgroup_limit_bytes > 0 ? cgroup_limit_bytes / 2 : kDefaultMemoryQuotaBytes;
}

}  // namespace detect::server
