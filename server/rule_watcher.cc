// inotify loop with a quiet-period debounce.
#include "server/rule_watcher.h"

#include <poll.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <system_error>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "server/log.h"

namespace detect::server {
namespace {

constexpr uint32_t kWatchMask = IN_CREATE | IN_DELETE | IN_MODIFY | IN_CLOSE_WRITE | IN_MOVED_FROM | IN_MOVED_TO |
                                IN_ATTRIB | IN_DELETE_SELF | IN_MOVE_SELF;
// How often a directory that cannot be watched (it is gone) is looked for again.
constexpr int kRetryMs = 1000;

}  // namespace

absl::StatusOr<std::unique_ptr<RuleWatcher>> RuleWatcher::Start(std::string path, absl::Duration debounce,
                                                                std::function<void()> on_change) {
  std::error_code ec;
  std::string dir = std::filesystem::is_directory(path, ec) ? path
                                                            : std::filesystem::path(path).parent_path().string();
  if (dir.empty()) dir = ".";
  const int fd = ::inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
  if (fd < 0) return absl::InternalError(absl::StrCat("inotify_init1: ", std::strerror(errno)));
  const int wake = ::eventfd(0, EFD_CLOEXEC);
  std::unique_ptr<RuleWatcher> watcher(new RuleWatcher(std::move(dir), fd, wake, debounce, std::move(on_change)));
  watcher->watching_ = watcher->AddWatches();
  if (!watcher->watching_) {
    Log(LogLevel::kWarning, "cannot watch the rules directory; looking for it every second",
        {{"dir", watcher->dir_}, {"error", std::strerror(errno)}});
  }
  watcher->thread_ = std::thread([w = watcher.get()] { w->Run(); });
  return watcher;
}

RuleWatcher::RuleWatcher(std::string dir, int inotify_fd, int wake_fd, absl::Duration debounce,
                         std::function<void()> on_change)
    : dir_(std::move(dir)), inotify_fd_(inotify_fd), wake_fd_(wake_fd), debounce_(debounce),
      on_change_(std::move(on_change)) {}

RuleWatcher::~RuleWatcher() {
  if (thread_.joinable()) {
    uint64_t one = 1;
    (void)!::write(wake_fd_, &one, sizeof(one));
    thread_.join();
  }
  ::close(inotify_fd_);
  ::close(wake_fd_);
}

bool RuleWatcher::AddWatches() {
  if (::inotify_add_watch(inotify_fd_, dir_.c_str(), kWatchMask) < 0) return false;
  std::error_code ec;
  // Hidden directories are skipped like the rule loader skips them (ConfigMap's ..data targets among them:
  // their swaps are seen as the rename of ..data in the watched directory).
  for (auto it = std::filesystem::recursive_directory_iterator(dir_, ec);
       !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
    if (it->path().filename().string().rfind('.', 0) == 0) {
      if (it->is_directory(ec)) it.disable_recursion_pending();
      continue;
    }
    if (it->is_directory(ec)) ::inotify_add_watch(inotify_fd_, it->path().c_str(), kWatchMask);
  }
  return true;
}

void RuleWatcher::Run() {
  alignas(inotify_event) char buf[16 * 1024];
  bool pending = false;
  absl::Time due = absl::InfiniteFuture();
  for (;;) {
    int timeout_ms = -1;
    if (pending) timeout_ms = static_cast<int>(std::max<int64_t>(0, absl::ToInt64Milliseconds(due - absl::Now())));
    // When the directory was deleted (its watch went with it) or renamed away, no event will say that it is back:
    // while it cannot be watched, look for it every kRetryMs.
    else if (!watching_) timeout_ms = kRetryMs;
    pollfd fds[2] = {{inotify_fd_, POLLIN, 0}, {wake_fd_, POLLIN, 0}};
    const int n = ::poll(fds, 2, timeout_ms);
    if (n < 0 && errno != EINTR) return;
    if (fds[1].revents) return;
    if (n > 0 && (fds[0].revents & POLLIN)) {
      while (::read(inotify_fd_, buf, sizeof(buf)) > 0) {
      }
      pending = true;
      due = absl::Now() + debounce_;  // Restart the quiet period: editors and the kubelet write in bursts.
      continue;
    }
    if (pending && absl::Now() >= due) {
      pending = false;
      const bool was_watching = watching_;
      watching_ = AddWatches();  // New subdirectories, or the directory itself replaced.
      if (was_watching && !watching_) {
        Log(LogLevel::kWarning, "cannot watch the rules directory; looking for it every second",
            {{"dir", dir_}, {"error", std::strerror(errno)}});
      }
      on_change_();
    } else if (!pending && !watching_ && AddWatches()) {
      watching_ = true;  // It is back: reload once it has been quiet for the debounce period.
      Log(LogLevel::kInfo, "watching the rules directory again", {{"dir", dir_}});
      pending = true;
      due = absl::Now() + debounce_;
    }
  }
}

}  // namespace detect::server
