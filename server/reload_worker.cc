// One reload thread, woken by a condition on the pending request.
#include "server/reload_worker.h"

#include <utility>

namespace detect::server {

ReloadWorker::ReloadWorker(std::function<void(const std::string&)> reload)
    : reload_(std::move(reload)), thread_([this] { Run(); }) {}

ReloadWorker::~ReloadWorker() { Stop(); }

void ReloadWorker::Request(std::string reason) {
  absl::MutexLock lock(&mu_);
  if (!stopping_ && !pending_.has_value()) pending_ = std::move(reason);
}

void ReloadWorker::Stop() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
    pending_.reset();
  }
  if (thread_.joinable()) thread_.join();
}

void ReloadWorker::Run() {
  for (;;) {
    std::string reason;
    {
      absl::MutexLock lock(&mu_);
      auto ready = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return stopping_ || pending_.has_value(); };
      mu_.Await(absl::Condition(&ready));
      if (stopping_) return;
      reason = std::move(*pending_);
      pending_.reset();
    }
    reload_(reason);
  }
}

}  // namespace detect::server
