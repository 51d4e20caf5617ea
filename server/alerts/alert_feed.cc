// AlertRing.
#include "server/alerts/alert_feed.h"

#include <algorithm>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace detect::server {

class AlertRing::Cursor final : public FeedCursor {
 public:
  Cursor(AlertRing* ring, uint64_t next, bool missed) : ring_(ring), next_(next), missed_(missed) {}

  absl::StatusOr<WatchBatch> Next(size_t max, absl::Duration wait) override {
    WatchBatch batch;
    absl::MutexLock lock(&ring_->mu_);
    const auto ready = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(ring_->mu_) { return next_ < ring_->next_seq_; };
    ring_->mu_.AwaitWithTimeout(absl::Condition(&ready), wait);
    const uint64_t oldest = ring_->next_seq_ - ring_->ring_.size();
    if (next_ < oldest) {  // The ring dropped alerts this cursor had not read.
      missed_ = true;
      next_ = oldest;
    }
    batch.missed = missed_ && next_ < ring_->next_seq_;
    if (batch.missed) missed_ = false;
    for (; next_ < ring_->next_seq_ && batch.alerts.size() < max; ++next_) {
      batch.alerts.push_back(ring_->ring_[next_ - oldest]);
    }
    return batch;
  }

 private:
  AlertRing* const ring_;
  uint64_t next_;  // Sequence number of the next alert to return.
  bool missed_;
};

AlertRing::AlertRing(size_t capacity)
    : capacity_(std::max<size_t>(capacity, 1)),
      prefix_(absl::StrCat("mem-", absl::ToUnixMillis(absl::Now()), "-")) {}

std::string AlertRing::IdOf(uint64_t seq) const { return absl::StrCat(prefix_, seq); }

void AlertRing::Append(const alert::AlertRecord& alert) {
  absl::MutexLock lock(&mu_);
  if (ring_.size() >= capacity_) ring_.pop_front();
  ring_.push_back(WatchedAlert{IdOf(next_seq_), alert});
  ++next_seq_;
}

absl::StatusOr<std::unique_ptr<FeedCursor>> AlertRing::Open(const std::string& since) {
  absl::MutexLock lock(&mu_);
  const uint64_t oldest = next_seq_ - ring_.size();
  if (since.empty()) return std::make_unique<Cursor>(this, next_seq_, false);
  if (since == "0") return std::make_unique<Cursor>(this, oldest, false);
  uint64_t seq = 0;
  if (!absl::StartsWith(since, "mem-") || since.rfind('-') <= 4 ||
      !absl::SimpleAtoi(absl::string_view(since).substr(since.rfind('-') + 1), &seq)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "since_log_id \"", since, "\" is not an id of this detectd's alert log (memory store: ids look like ",
        IdOf(next_seq_), "; \"0\" = the oldest kept, empty = only new alerts)"));
  }
  if (!absl::StartsWith(since, prefix_) || seq >= next_seq_) {
    // An id of an earlier process (or of another replica): what came after it is unknown here.
    return std::make_unique<Cursor>(this, oldest, true);
  }
  // Resume after `seq`; if the ring no longer holds seq + 1, the cursor reports the gap on its first batch.
  return std::make_unique<Cursor>(this, seq + 1, seq + 1 < oldest);
}

}  // namespace detect::server
