// Lists the rule files below a rules directory, safely: directory symlinks are followed (a rules directory may
// be assembled from links), but a link that leads back to a directory being walked is refused with the path
// that loops, a directory reached a second time by another link is walked once, and depth and directory count
// are bounded. Hidden entries are skipped, which also skips Kubernetes ConfigMap's `..data` and
// `..<timestamp>` directories (their files are reached through the top-level `name.yml -> ..data/name.yml`
// links, which are followed).
#ifndef DETECT_ENGINE_INTERNAL_RULE_DIR_WALK_H_
#define DETECT_ENGINE_INTERNAL_RULE_DIR_WALK_H_

#include <atomic>
#include <cstddef>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace detect::engine_internal {

struct RuleDirWalkOptions {
  int max_depth = 32;         // Directories below the root (the root is depth 0).
  size_t max_dirs = 10000;    // Directories walked in all, the root included.
  // When set and true, the walk stops with CancelledError at the next directory (shutdown during a reload).
  const std::atomic<bool>* cancel = nullptr;
};

// The *.yml / *.yaml regular files (after following links) below `root`, sorted. Errors: PermissionDenied if
// `root` cannot be listed, Unavailable if a directory below it cannot, FailedPrecondition naming the path for a
// symlink loop, a depth or directory count over the bound; Cancelled. Thread-compatible (pure but for I/O).
absl::StatusOr<std::vector<std::string>> ListRuleFiles(const std::string& root, const RuleDirWalkOptions& options);

}  // namespace detect::engine_internal

#endif  // DETECT_ENGINE_INTERNAL_RULE_DIR_WALK_H_
