// RuleWatcher: calls back when files under the rules path change, debounced. Uses inotify on the rules
// directory and its (non-hidden) subdirectories, which also sees Kubernetes ConfigMap updates: the kubelet
// writes a new hidden `..<timestamp>` directory and renames the `..data` symlink over the old one inside the
// watched directory, so the rename is one event there. While the directory is gone (deleted, or renamed away
// and not back), nothing is left to watch: the watcher looks for it again every second, and calls back once it
// is back.
#ifndef DETECT_SERVER_RULE_WATCHER_H_
#define DETECT_SERVER_RULE_WATCHER_H_

#include <functional>
#include <memory>
#include <string>
#include <thread>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace detect::server {

// Owns a background thread; the callback runs on it, never concurrently with itself. Thread-compatible.
class RuleWatcher {
 public:
  // Watches `path` (a directory, or a file's directory) and calls `on_change` once the tree has been quiet for
  // `debounce` after a change.
  static absl::StatusOr<std::unique_ptr<RuleWatcher>> Start(std::string path, absl::Duration debounce,
                                                            std::function<void()> on_change);
  ~RuleWatcher();  // Stops; waits for a running callback.
  RuleWatcher(const RuleWatcher&) = delete;
  RuleWatcher& operator=(const RuleWatcher&) = delete;

 private:
  RuleWatcher(std::string dir, int inotify_fd, int wake_fd, absl::Duration debounce,
              std::function<void()> on_change);
  void Run();
  // (Re)adds watches on the directory tree; new subdirectories get one too. False if the directory itself
  // cannot be watched (it does not exist).
  bool AddWatches();

  const std::string dir_;
  const int inotify_fd_;
  const int wake_fd_;
  const absl::Duration debounce_;
  const std::function<void()> on_change_;
  std::thread thread_;
  // Whether the directory itself is watched; set by Start, then only the watcher thread reads and writes it.
  bool watching_ = false;
};

}  // namespace detect::server

#endif  // DETECT_SERVER_RULE_WATCHER_H_
