// WatchHub and WatchReactor.
#include "server/watch_reactor.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "server/alerts/alert_proto.h"
#include "server/log.h"

namespace detect::server {
namespace {

// A call refused before it started: finished at once.
class RefusedReactor final : public grpc::ServerWriteReactor<v1::WatchAlertsResponse> {
 public:
  explicit RefusedReactor(grpc::Status status) { Finish(std::move(status)); }
  void OnDone() override { delete this; }
};

}  // namespace

std::string WatchMetrics::RenderPrometheus() const {
  std::string out;
  const auto metric = [&out](absl::string_view name, absl::string_view type, absl::string_view help, auto value) {
    absl::StrAppend(&out, "# HELP ", name, " ", help, "\n# TYPE ", name, " ", type, "\n", name, " ", value, "\n");
  };
  metric("detect_alert_watchers", "gauge", "WatchAlerts streams open", watchers.load());
  metric("detect_alert_watchers_refused_total", "counter", "WatchAlerts calls refused at --alert_watch_max_watchers",
         refused.load());
  metric("detect_alert_watch_sent_total", "counter", "Alerts written to WatchAlerts streams", sent.load());
  metric("detect_alert_watch_queued_bytes", "gauge", "Serialized alerts waiting to be written to watchers",
         queued_bytes.load());
  metric("detect_alert_watch_throttled_total", "counter",
         "Times a watcher's queue was full (--alert_watch_max_queued_bytes) and reading the log for it paused",
         throttled.load());
  metric("detect_alert_watch_missed_total", "counter",
         "Watch streams that found alerts after their position already dropped from the alert log", missed.load());
  metric("detect_alert_watch_log_errors_total", "counter", "Failed reads of the alert log for watchers",
         log_errors.load());
  return out;
}

WatchHub::WatchHub(AlertFeed* feed, WatchOptions options) : feed_(feed), options_(std::move(options)) {}

WatchHub::~WatchHub() { Shutdown(); }

bool WatchHub::shutting_down() {
  absl::MutexLock lock(&mu_);
  return shutting_down_;
}

void WatchHub::ReapLocked() {
  for (uint64_t id : exited_) {
    auto it = threads_.find(id);
    if (it == threads_.end()) continue;
    if (it->second.joinable()) it->second.join();
    threads_.erase(it);
  }
  exited_.clear();
}

grpc::ServerWriteReactor<v1::WatchAlertsResponse>* WatchHub::Start(grpc::CallbackServerContext*,
                                                                   const v1::WatchAlertsRequest* request) {
  absl::MutexLock lock(&mu_);
  ReapLocked();
  if (shutting_down_) {
    return new RefusedReactor(grpc::Status(grpc::StatusCode::UNAVAILABLE, "detectd is shutting down"));
  }
  if (options_.max_watchers > 0 && live_.size() >= static_cast<size_t>(options_.max_watchers)) {
    if (metrics_.refused.fetch_add(1) % 100 == 0) {
      Log(LogLevel::kWarning, "WatchAlerts refused: too many watchers",
          {{"max_watchers", options_.max_watchers}, {"refused_total", metrics_.refused.load()}});
    }
    return new RefusedReactor(grpc::Status(
        grpc::StatusCode::RESOURCE_EXHAUSTED,
        absl::StrCat("too many WatchAlerts streams: the limit --alert_watch_max_watchers is ", options_.max_watchers)));
  }
  const uint64_t id = next_id_++;
  auto* reactor = new WatchReactor(this, id, request->since_log_id());
  live_[id] = reactor;
  metrics_.watchers.store(static_cast<int64_t>(live_.size()));
  threads_[id] = std::thread([reactor] { reactor->Pump(); });
  return reactor;
}

void WatchHub::PumpExited(uint64_t id) {
  absl::MutexLock lock(&mu_);
  live_.erase(id);
  exited_.push_back(id);
  metrics_.watchers.store(static_cast<int64_t>(live_.size()));
}

void WatchHub::Shutdown() {
  std::map<uint64_t, std::thread> threads;
  {
    absl::MutexLock lock(&mu_);
    shutting_down_ = true;
    for (auto& [id, reactor] : live_) reactor->Stop();  // A live reactor's pump has not called Finish yet.
    threads.swap(threads_);
    exited_.clear();
  }
  for (auto& [id, t] : threads) {
    if (t.joinable()) t.join();
  }
}

WatchReactor::WatchReactor(WatchHub* hub, uint64_t id, std::string since)
    : hub_(hub), id_(id), since_(std::move(since)) {}

void WatchReactor::Stop() {
  absl::MutexLock lock(&mu_);
  stopped_ = true;
}

void WatchReactor::OnCancel() {
  absl::MutexLock lock(&mu_);
  cancelled_ = true;
}

const v1::WatchAlertsResponse* WatchReactor::PushLocked(v1::WatchAlertsResponse response) {
  const int64_t size = static_cast<int64_t>(response.ByteSizeLong());
  queue_.push_back(std::move(response));
  sizes_.push_back(size);
  queued_bytes_ += size;
  hub_->metrics_.queued_bytes.fetch_add(size);
  if (writing_) return nullptr;
  writing_ = true;
  return &queue_.front();
}

void WatchReactor::OnWriteDone(bool ok) {
  const v1::WatchAlertsResponse* next = nullptr;
  {
    absl::MutexLock lock(&mu_);
    queued_bytes_ -= sizes_.front();
    hub_->metrics_.queued_bytes.fetch_sub(sizes_.front());
    sizes_.pop_front();
    if (ok) {
      hub_->metrics_.sent.fetch_add(1);
      last_written_ = queue_.front().log_id();
    }
    queue_.pop_front();
    if (!ok) write_failed_ = true;
    if (!StoppingLocked() && !queue_.empty()) {
      next = &queue_.front();
    } else {
      writing_ = false;
    }
  }
  if (next != nullptr) StartWrite(next);
}

void WatchReactor::Pump() {
  const WatchOptions& o = hub_->options();
  WatchMetrics& metrics = hub_->metrics_;
  std::unique_ptr<FeedCursor> cursor;
  grpc::Status final_status;
  bool reported_error = false;
  std::deque<v1::WatchAlertsResponse> pending;  // Read from the log, not yet queued (the queue was full).
  bool metadata_sent = false;
  const auto stopping = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return StoppingLocked(); };
  const auto pause = [&] {
    absl::MutexLock lock(&mu_);
    mu_.AwaitWithTimeout(absl::Condition(&stopping), o.poll);
  };
  for (;;) {
    {
      absl::MutexLock lock(&mu_);
      if (StoppingLocked()) break;
      if (queued_bytes_ >= o.max_queued_bytes && o.max_queued_bytes > 0) {
        metrics.throttled.fetch_add(1);
        const auto room = [this, &o]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
          return StoppingLocked() || queued_bytes_ < o.max_queued_bytes;
        };
        mu_.AwaitWithTimeout(absl::Condition(&room), o.poll);
        continue;
      }
    }
    if (pending.empty()) {
      absl::Status error;
      if (cursor == nullptr) {
        absl::StatusOr<std::unique_ptr<FeedCursor>> opened = hub_->feed()->Open(since_);
        if (opened.ok()) {
          cursor = *std::move(opened);
        } else if (absl::IsInvalidArgument(opened.status())) {
          final_status = grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, std::string(opened.status().message()));
          break;
        } else {
          error = opened.status();
        }
      }
      if (!metadata_sent) {  // After the first Open: alerts appended once the caller sees the headers are its.
        metadata_sent = true;
        StartSendInitialMetadata();
      }
      absl::StatusOr<WatchBatch> batch = WatchBatch{};
      if (cursor != nullptr) batch = cursor->Next(o.batch, o.poll);
      if (!batch.ok()) error = batch.status();
      if (!error.ok()) {
        metrics.log_errors.fetch_add(1);
        if (!reported_error) {
          Log(LogLevel::kWarning, "WatchAlerts: alert log unreadable; retrying", {{"error", error.ToString()}});
          reported_error = true;
        }
        pause();
        continue;
      }
      reported_error = false;
      if (batch->missed) metrics.missed.fetch_add(1);
      bool first = true;
      for (WatchedAlert& w : batch->alerts) {
        v1::WatchAlertsResponse response;
        response.set_log_id(w.log_id);
        response.set_missed_alerts(first && batch->missed);
        first = false;
        AlertToProto(w.alert, response.mutable_alert());
        pending.push_back(std::move(response));
      }
    }
    // Queue what fits; the rest of the batch waits here (at most one batch beyond the byte bound).
    while (!pending.empty()) {
      const v1::WatchAlertsResponse* start = nullptr;
      {
        absl::MutexLock lock(&mu_);
        if (StoppingLocked() || (o.max_queued_bytes > 0 && queued_bytes_ >= o.max_queued_bytes)) break;
        start = PushLocked(std::move(pending.front()));
      }
      pending.pop_front();
      if (start != nullptr) StartWrite(start);
    }
  }
  std::string resume;
  {
    absl::MutexLock lock(&mu_);
    const auto idle = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return !writing_; };
    mu_.Await(absl::Condition(&idle));  // A write in flight always completes (with ok=false once cancelled).
    hub_->metrics_.queued_bytes.fetch_sub(queued_bytes_);
    queued_bytes_ = 0;
    queue_.clear();
    sizes_.clear();
    resume = last_written_.empty() ? since_ : last_written_;
    if (stopped_ && final_status.ok()) {
      final_status = grpc::Status(grpc::StatusCode::UNAVAILABLE,
                                  absl::StrCat("detectd is shutting down; resume with since_log_id=\"", resume, "\""));
    } else if (cancelled_ && final_status.ok()) {
      final_status = grpc::Status(grpc::StatusCode::CANCELLED, "watch cancelled");
    }
  }
  hub_->PumpExited(id_);  // Before Finish: OnDone may delete this reactor right after it.
  Finish(std::move(final_status));
}

}  // namespace detect::server
