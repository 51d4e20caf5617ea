// MakeSinks and MakeStoreAndLog.
#include "server/alerts/store_factory.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "alert/memory_store.h"
#include "server/log.h"

namespace detect::server {

absl::StatusOr<std::vector<std::unique_ptr<AlertSink>>> MakeSinks(const AlertOptions& options) {
  std::vector<std::unique_ptr<AlertSink>> sinks;
  if (!options.file.empty()) {
    absl::StatusOr<std::unique_ptr<FileSink>> file = FileSink::Open(options.file);
    if (!file.ok()) return file.status();
    sinks.push_back(*std::move(file));
  }
  return sinks;
}

absl::StatusOr<StoreAndLog> MakeStoreAndLog(const AlertOptions& options, std::unique_ptr<Dispatcher> dispatcher,
                                            AlertMetrics* metrics) {
  StoreAndLog out;
  if (options.store == "memory") {
    alert::MemoryStoreOptions mo;
    mo.max_windows = options.max_windows;
    mo.policy = options.policy;
    mo.on_evict = [metrics, max = options.max_windows](const std::string& rule_id, const std::string& dedup) {
      const uint64_t n = metrics->evictions.fetch_add(1) + 1;
      if (n <= 10 || n % 1000 == 0) {
        Log(LogLevel::kWarning, "alert window evicted before its end (--alert_max_windows reached)",
            {{"rule_id", rule_id}, {"dedup", dedup}, {"max_windows", static_cast<uint64_t>(max)},
             {"evictions_total", n}});
      }
    };
    out.store = std::make_unique<alert::MemoryAlertStore>(std::move(mo));
    out.log = std::make_unique<LocalAlertLog>(options.max_queue, std::move(dispatcher), metrics);
    return out;
  }
  return absl::InvalidArgumentError(
      absl::StrCat("--alert_store must be memory, redis://HOST:PORT or unix:///PATH; got '", options.store, "'"));
}

}  // namespace detect::server
