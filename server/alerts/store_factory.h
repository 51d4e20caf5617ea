// Building the pipeline's parts from AlertOptions: the sinks (file, webhooks) and the store with its alert log
// (memory + in-process queue, or Redis + Redis Stream consumer).
#ifndef DETECT_SERVER_ALERTS_STORE_FACTORY_H_
#define DETECT_SERVER_ALERTS_STORE_FACTORY_H_

#include <memory>
#include <vector>

#include "absl/status/statusor.h"
#include "alert/alert_store.h"
#include "server/alerts/alert_options.h"
#include "server/alerts/alert_pipeline.h"
#include "server/alerts/alert_sink.h"

namespace detect::server {

struct StoreAndLog {
  std::unique_ptr<alert::AlertStore> store;
  bool store_logs_alerts = false;  // True: the store appends emitted alerts to its own log (Redis Stream).
  std::unique_ptr<AlertLog> log;
};

absl::StatusOr<std::vector<std::unique_ptr<AlertSink>>> MakeSinks(const AlertOptions& options);
absl::StatusOr<StoreAndLog> MakeStoreAndLog(const AlertOptions& options, std::unique_ptr<Dispatcher> dispatcher,
                                            AlertMetrics* metrics);

}  // namespace detect::server

#endif  // DETECT_SERVER_ALERTS_STORE_FACTORY_H_
