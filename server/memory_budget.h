// The memory detectd's gRPC transport may use (its resource quota) when the operator does not set one: half the
// container's memory limit, read from the cgroup (v2 memory.max, v1 memory.limit_in_bytes), else a fixed
// default. The other half is left for rule sets, evaluation and the allocator's own overhead; the worst case for
// the default limits is worked out in docs/reliability.md.
#ifndef DETECT_SERVER_MEMORY_BUDGET_H_
#define DETECT_SERVER_MEMORY_BUDGET_H_

#include <cstdint>
#include <string>

namespace detect::server {

// The quota used without a cgroup memory limit.
inline constexpr int64_t kDefaultMemoryQuotaBytes = int64_t{256} << 20;

// The memory limit of the cgroup detectd runs in, in bytes, from `<cgroup_root>/memory.max` (v2) or
// `<cgroup_root>/memory/memory.limit_in_bytes` (v1); 0 when there is none ("max", an unlimited v1 value, or no
// file).
int64_t CgroupMemoryLimitBytes(const std::string& cgroup_root = "/sys/fs/cgroup");

// The resource quota for a cgroup limit of `cgroup_limit_bytes` (0: none): half of it, or
// kDefaultMemoryQuotaBytes.
int64_t DefaultMemoryQuotaBytes(int64_t cgroup_limit_bytes);

}  // namespace detect::server

#endif  // DETECT_SERVER_MEMORY_BUDGET_H_
