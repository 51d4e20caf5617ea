// MakeSinks and MakeStoreAndLog.
#include "server/alerts/store_factory.h"

#include <fstream>
#include <sstream>
#include <fstream>
#include <sstream>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"

#include "absl/strings/str_cat.h"
#include "alert/memory_store.h"
#include "common/read_file.h"
#include "server/alerts/redis_alert_log.h"
#include "server/alerts/redis_store.h"
#include "server/alerts/webhook_sink.h"
#include "server/alerts/redis_alert_log.h"
#include "server/alerts/redis_store.h"
#include "server/alerts/webhook_sink.h"
#include "server/log.h"

namespace detect::server {

absl::StatusOr<std::vector<std::unique_ptr<AlertSink>>> MakeSinks(const AlertOptions& options) {
  std::vector<std::unique_ptr<AlertSink>> sinks;
  if (!options.file.empty()) {
    absl::StatusOr<std::unique_ptr<FileSink>> file = FileSink::Open(options.file);
    if (!file.ok()) return file.status();
    sinks.push_back(*std::move(file));
  }
  std::string secret;
  if (!options.webhook_secret_file.empty()) {
    absl::StatusOr<std::string> read = ReadSecretFile(options.webhook_secret_file, "--alert_webhook_secret_file");
    if (!read.ok()) return read.status();
    secret = *std::move(read);
  }
  WebhookFormat format;
  if (options.webhook_format == "json") {
    format = WebhookFormat::kJson;
  } else if (options.webhook_format == "slack") {
    format = WebhookFormat::kSlack;
  } else {
    return absl::InvalidArgumentError(
        absl::StrCat("--alert_webhook_format must be json or slack; got '", options.webhook_format, "'"));
  }
  for (const std::string& url : options.webhooks) {
    if (!absl::StartsWith(url, "http://") && !absl::StartsWith(url, "https://")) {
      return absl::InvalidArgumentError(absl::StrCat("--alert_webhook must be an http(s) URL; got '", url, "'"));
    }
    sinks.push_back(std::make_unique<WebhookSink>(url, secret, format, options.webhook_timeout));
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
  if (absl::StartsWith(options.store, "redis://") || absl::StartsWith(options.store, "unix://")) {
    absl::StatusOr<RedisAddress> address = ParseRedisUrl(options.store);
    if (!address.ok()) return absl::InvalidArgumentError(absl::StrCat("--alert_store: ", address.status().message()));
    out.store = std::make_unique<RedisAlertStore>(*address, options);
    out.store_logs_alerts = true;
    out.log = std::make_unique<RedisAlertLog>(*address, options, std::move(dispatcher), metrics);
    return out;
  }
  return absl::InvalidArgumentError(
      absl::StrCat("--alert_store must be memory, redis://HOST:PORT or unix:///PATH; got '", options.store, "'"));
}

}  // namespace detect::server
