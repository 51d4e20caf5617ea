// FileSink and Dispatcher.
#include "server/alerts/alert_sink.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "server/log.h"

namespace detect::server {

absl::StatusOr<std::unique_ptr<FileSink>> FileSink::Open(const std::string& path) {
  if (path == "-") return std::unique_ptr<FileSink>(new FileSink(stdout, false, "file:-"));
  std::FILE* f = std::fopen(path.c_str(), "a");
  if (f == nullptr) return absl::InvalidArgumentError(absl::StrCat("cannot open --alert_file '", path, "'"));
  return std::unique_ptr<FileSink>(new FileSink(f, true, absl::StrCat("file:", path)));
}

FileSink::FileSink(std::FILE* f, bool owned, std::string name) : file_(f), owned_(owned), name_(std::move(name)) {}

FileSink::~FileSink() {
  absl::MutexLock lock(&mu_);
  if (owned_) std::fclose(file_);
}

absl::Status FileSink::Deliver(const alert::AlertRecord&, const std::string& json) {
  absl::MutexLock lock(&mu_);
  if (std::fwrite(json.data(), 1, json.size(), file_) != json.size() || std::fputc('\n', file_) == EOF ||
      std::fflush(file_) != 0) {
    return absl::UnavailableError(absl::StrCat("write to ", name_, " failed"));
  }
  return absl::OkStatus();
}

Dispatcher::Dispatcher(std::vector<std::unique_ptr<AlertSink>> sinks, RetryPolicy retry, AlertMetrics* metrics)
    : sinks_(std::move(sinks)), retry_(retry), metrics_(metrics) {}

void Dispatcher::Stop() {
  absl::MutexLock lock(&mu_);
  stopping_ = true;
}

void Dispatcher::Deliver(const alert::AlertRecord& alert) {
  if (sinks_.empty()) return;
  const std::string json = alert::AlertToJson(alert);
  for (const auto& sink : sinks_) {
    absl::Duration backoff = retry_.backoff;
    absl::Status last;
    bool delivered = false;
    for (int attempt = 1; attempt <= std::max(retry_.attempts, 1); ++attempt) {
      last = sink->Deliver(alert, json);
      if (last.ok()) {
        delivered = true;
        break;
      }
      if (attempt == retry_.attempts) break;
      metrics_->RecordDelivery(sink->name(), DeliveryOutcome::kRetried);
      absl::MutexLock lock(&mu_);
      if (mu_.AwaitWithTimeout(absl::Condition(&stopping_), backoff)) break;
      backoff = std::min(backoff * 2, absl::Seconds(30));
    }
    if (delivered) {
      metrics_->RecordDelivery(sink->name(), DeliveryOutcome::kDelivered);
      continue;
    }
    metrics_->RecordDelivery(sink->name(), DeliveryOutcome::kDeadLettered);
    Log(LogLevel::kError, "alert dead-lettered",
        {{"sink", sink->name()}, {"alert_id", alert.alert_id}, {"error", last.ToString()}, {"alert", json}});
  }
}

}  // namespace detect::server
