// AlertPipeline and LocalAlertLog.
#include "server/alerts/alert_pipeline.h"

#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "alert/memory_store.h"
#include "server/alerts/store_factory.h"
#include "server/log.h"

namespace detect::server {
namespace {

constexpr absl::Duration kReplayPoll = absl::Milliseconds(200);
constexpr absl::Duration kFlushPoll = absl::Seconds(1);

}  // namespace

absl::StatusOr<std::unique_ptr<AlertPipeline>> AlertPipeline::Create(const AlertOptions& options,
                                                                     AlertMetrics* metrics) {
  absl::StatusOr<std::vector<std::unique_ptr<AlertSink>>> sinks = MakeSinks(options);
  if (!sinks.ok()) return sinks.status();
  auto dispatcher = std::make_unique<Dispatcher>(*std::move(sinks),
                                                 RetryPolicy{options.webhook_attempts, options.webhook_backoff}, metrics);
  absl::StatusOr<StoreAndLog> made = MakeStoreAndLog(options, std::move(dispatcher), metrics);
  if (!made.ok()) return made.status();
  return std::make_unique<AlertPipeline>(options, std::move(made->store), made->store_logs_alerts,
                                         std::move(made->log), metrics);
}

AlertPipeline::AlertPipeline(const AlertOptions& options, std::unique_ptr<alert::AlertStore> store,
                             bool store_logs_alerts, std::unique_ptr<AlertLog> log, AlertMetrics* metrics)
    : options_(options),
      store_(std::move(store)),
      store_logs_alerts_(store_logs_alerts),
      log_(std::move(log)),
      metrics_(metrics) {
  replayer_ = std::thread([this] { ReplayLoop(); });
  flusher_ = std::thread([this] { FlushLoop(); });
}

AlertPipeline::~AlertPipeline() { Shutdown(absl::Now()); }

void AlertPipeline::SetObserver(std::function<void(const alert::AlertRecord&)> observer) {
  absl::MutexLock lock(&mu_);
  observer_ = std::move(observer);
}

void AlertPipeline::Apply(const alert::RecordResult& r) {
  if (r.distinct_dropped && metrics_->distinct_dropped.fetch_add(1) % 1000 == 0) {
    Log(LogLevel::kWarning, "alert window's distinct-value set full: value not counted (every 1000th logged)",
        {{"max_distinct_values", static_cast<uint64_t>(options_.policy.max_distinct_values)},
         {"dropped_total", metrics_->distinct_dropped.load()}});
  }
  switch (r.outcome) {
    case alert::Outcome::kBelowThreshold: metrics_->matches_below_threshold.fetch_add(1); break;
    case alert::Outcome::kAlertJoined: metrics_->matches_joined.fetch_add(1); break;
    case alert::Outcome::kAlertOpened: metrics_->alerts_opened.fetch_add(1); break;
    case alert::Outcome::kAlertUpdated: metrics_->alerts_updated.fetch_add(1); break;
  }
  if (r.final_update.has_value()) {
    metrics_->alerts_updated.fetch_add(1);
    metrics_->final_updates.fetch_add(1);
    Emit(*r.final_update);
  }
  if (r.emit.has_value()) Emit(*r.emit);
}

void AlertPipeline::Emit(const alert::AlertRecord& alert) {
  std::function<void(const alert::AlertRecord&)> observer;
  {
    absl::MutexLock lock(&mu_);
    observer = observer_;
  }
  if (observer) observer(alert);
  if (!store_logs_alerts_ && log_ != nullptr) log_->Append(alert);
}

void AlertPipeline::Flush(absl::Time now) {
  absl::StatusOr<std::vector<alert::AlertRecord>> due = store_->FlushDue(now);
  if (!due.ok()) {
    metrics_->store_errors.fetch_add(1);
    return;
  }
  for (const alert::AlertRecord& a : *due) {
    metrics_->alerts_updated.fetch_add(1);
    metrics_->final_updates.fetch_add(1);
    Emit(a);
  }
}

void AlertPipeline::FlushLoop() {
  for (;;) {
    {
      absl::MutexLock lock(&mu_);
      if (mu_.AwaitWithTimeout(absl::Condition(&stopping_), kFlushPoll)) return;
    }
    Flush(absl::Now());
  }
}

bool AlertPipeline::RecordNow(const alert::MatchRecord& match, std::string* alert_id) {
  absl::StatusOr<alert::RecordResult> r = store_->Record(match);
  if (!r.ok()) {
    metrics_->store_errors.fetch_add(1);
    return false;
  }
  Apply(*r);
  *alert_id = std::move(r->alert_id);
  return true;
}

void AlertPipeline::BufferLocked(alert::MatchRecord match) {
  if (buffer_.size() >= options_.redis_buffer) {
    if (metrics_->buffer_overflow.fetch_add(1) % 1000 == 0) {
      Log(LogLevel::kError, "alert store unreachable and replay buffer full: match not recorded",
          {{"rule_id", match.rule->id}, {"buffer", static_cast<uint64_t>(buffer_.size())},
           {"dropped_total", metrics_->buffer_overflow.load()}});
    }
    return;
  }
  alert::MaterializeOpener(&match);  // The buffer outlives the request the match's renderer reads.
  buffer_.push_back(std::move(match));
  metrics_->buffered.store(static_cast<int64_t>(buffer_.size()));
}

std::string AlertPipeline::Record(const alert::MatchRecord& match) {
  std::vector<alert::MatchRecord> one = {match};
  return std::move(RecordBatch(&one)[0]);
}

std::vector<std::string> AlertPipeline::RecordBatch(std::vector<alert::MatchRecord>* matches) {
  std::vector<std::string> ids(matches->size());
  if (matches->empty()) return ids;
  {
    absl::MutexLock lock(&mu_);
    if (!buffer_.empty()) {  // Keep order: while matches wait for the store, new ones wait behind them.
      for (alert::MatchRecord& m : *matches) BufferLocked(std::move(m));
      return ids;
    }
  }
  std::vector<absl::StatusOr<alert::RecordResult>> results = store_->RecordBatch(*matches);
  std::vector<size_t> failed;
  for (size_t i = 0; i < results.size(); ++i) {
    if (!results[i].ok()) {
      metrics_->store_errors.fetch_add(1);
      failed.push_back(i);
      continue;
    }
    Apply(*results[i]);
    ids[i] = std::move(results[i]->alert_id);
  }
  if (failed.empty()) return ids;
  absl::MutexLock lock(&mu_);
  if (buffer_.empty() && metrics_->degraded.exchange(1) == 0) {
    Log(LogLevel::kWarning, "alert store unreachable: alerting degraded, buffering matches",
        {{"store", options_.store}, {"buffer_limit", static_cast<uint64_t>(options_.redis_buffer)}});
  }
  for (size_t i : failed) BufferLocked(std::move((*matches)[i]));
  return ids;
}

void AlertPipeline::ReplayLoop() {
  for (;;) {
    std::optional<alert::MatchRecord> next;
    {
      absl::MutexLock lock(&mu_);
      const auto ready = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return stopping_ || !buffer_.empty(); };
      mu_.Await(absl::Condition(&ready));
      if (stopping_) return;
      next = buffer_.front();
    }
    std::string alert_id;
    if (!RecordNow(*next, &alert_id)) {
      absl::MutexLock lock(&mu_);
      mu_.AwaitWithTimeout(absl::Condition(&stopping_), kReplayPoll);
      continue;
    }
    absl::MutexLock lock(&mu_);
    buffer_.pop_front();
    metrics_->buffered.store(static_cast<int64_t>(buffer_.size()));
    if (buffer_.empty() && metrics_->degraded.exchange(0) == 1) {
      Log(LogLevel::kInfo, "alert store reachable again: buffered matches replayed", {{"store", options_.store}});
    }
  }
}

void AlertPipeline::Shutdown(absl::Time deadline) {
  {
    absl::MutexLock lock(&mu_);
    if (stopping_) return;
    stopping_ = true;
    if (!buffer_.empty()) {
      Log(LogLevel::kWarning, "shutting down with matches still waiting for the alert store",
          {{"buffered", static_cast<uint64_t>(buffer_.size())}});
    }
  }
  if (replayer_.joinable()) replayer_.join();
  if (flusher_.joinable()) flusher_.join();
  // This process's windows die with it: deliver every alert's latest count now. (Redis windows outlive it;
  // any replica flushes them when due.)
  if (!store_logs_alerts_) Flush(absl::InfiniteFuture());
  if (log_ != nullptr) log_->Stop(deadline);
}

LocalAlertLog::LocalAlertLog(size_t max_queue, std::unique_ptr<Dispatcher> dispatcher, AlertMetrics* metrics)
    : max_queue_(max_queue), dispatcher_(std::move(dispatcher)), metrics_(metrics) {
  thread_ = std::thread([this] { Run(); });
}

LocalAlertLog::~LocalAlertLog() { Stop(absl::Now()); }

void LocalAlertLog::Append(const alert::AlertRecord& alert) {
  absl::MutexLock lock(&mu_);
  if (stopping_ || (max_queue_ > 0 && queue_.size() >= max_queue_)) {
    if (metrics_->queue_overflow.fetch_add(1) % 1000 == 0) {
      Log(LogLevel::kError, "alert delivery queue full: alert not delivered",
          {{"alert_id", alert.alert_id}, {"rule_id", alert.rule->id}, {"max_queue", static_cast<uint64_t>(max_queue_)},
           {"overflow_total", metrics_->queue_overflow.load()}});
    }
    return;
  }
  queue_.push_back(alert);
  metrics_->queue_depth.store(static_cast<int64_t>(queue_.size()));
}

void LocalAlertLog::Run() {
  for (;;) {
    alert::AlertRecord next;
    {
      absl::MutexLock lock(&mu_);
      const auto ready = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return stopping_ || !queue_.empty(); };
      mu_.Await(absl::Condition(&ready));
      if (queue_.empty() || absl::Now() >= deadline_) return;
      next = std::move(queue_.front());
      queue_.pop_front();
      metrics_->queue_depth.store(static_cast<int64_t>(queue_.size()));
    }
    dispatcher_->Deliver(next);
  }
}

void LocalAlertLog::Stop(absl::Time deadline) {
  {
    absl::MutexLock lock(&mu_);
    if (stopping_ && !thread_.joinable()) return;
    stopping_ = true;
    deadline_ = deadline;
    if (!queue_.empty()) {
      Log(LogLevel::kInfo, "delivering queued alerts before exit", {{"queued", static_cast<uint64_t>(queue_.size())}});
    }
  }
  if (thread_.joinable()) thread_.join();
  absl::MutexLock lock(&mu_);
  if (!queue_.empty()) {
    Log(LogLevel::kError, "alerts not delivered at exit (deadline passed)",
        {{"undelivered", static_cast<uint64_t>(queue_.size())}});
  }
}

}  // namespace detect::server
