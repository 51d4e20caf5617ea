// ReloadWorker: runs rule reloads on a thread of its own, one at a time, so that neither the signal loop
// (SIGHUP) nor the rule watcher ever blocks on a compile, and a SIGTERM that arrives during a long reload is
// handled at once. Requests that arrive while a reload runs are coalesced into one more reload after it.
#ifndef DETECT_SERVER_RELOAD_WORKER_H_
#define DETECT_SERVER_RELOAD_WORKER_H_

#include <functional>
#include <optional>
#include <string>
#include <thread>

#include "absl/synchronization/mutex.h"

namespace detect::server {

// Thread-safe. Owns its thread; the reload callback runs there, never concurrently with itself.
class ReloadWorker {
 public:
  explicit ReloadWorker(std::function<void(const std::string& reason)> reload);
  ~ReloadWorker();  // Stop().
  ReloadWorker(const ReloadWorker&) = delete;
  ReloadWorker& operator=(const ReloadWorker&) = delete;

  // Asks for a reload; returns at once. While one is pending, later requests join it (the first reason stays).
  void Request(std::string reason) ABSL_LOCKS_EXCLUDED(mu_);
  // Drops a pending request and waits for a running reload to return: cancel it first (RuleStore::CancelReloads)
  // so that this is prompt. Later calls and requests do nothing.
  void Stop() ABSL_LOCKS_EXCLUDED(mu_);

 private:
  void Run() ABSL_LOCKS_EXCLUDED(mu_);

  const std::function<void(const std::string&)> reload_;
  absl::Mutex mu_;
  std::optional<std::string> pending_ ABSL_GUARDED_BY(mu_);
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::thread thread_;
};

}  // namespace detect::server

#endif  // DETECT_SERVER_RELOAD_WORKER_H_
