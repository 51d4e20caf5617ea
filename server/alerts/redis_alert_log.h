// RedisAlertLog: delivers the alerts RedisAlertStore's script appended to the partition streams, through one
// consumer group shared by every replica, so each alert is delivered by one replica: XREADGROUP, deliver to every
// sink (retries and dead letter in the Dispatcher), then XACK. Entries a consumer read but did not acknowledge for
// --alert_redis_claim_idle (it died, or was SIGKILLed) are taken over with XAUTOCLAIM and delivered again (at
// least once; a redelivered alert has the same alert_id). While Redis is unreachable it retries quietly; alerts
// wait in the streams.
#ifndef DETECT_SERVER_ALERTS_REDIS_ALERT_LOG_H_
#define DETECT_SERVER_ALERTS_REDIS_ALERT_LOG_H_

#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "server/alerts/alert_pipeline.h"
#include "server/alerts/redis_client.h"

struct redisReply;

namespace detect::server {

// Thread-safe. Starts its consumer thread at construction.
class RedisAlertLog final : public AlertLog {
 public:
  RedisAlertLog(const RedisAddress& address, const AlertOptions& options, std::unique_ptr<Dispatcher> dispatcher,
                AlertMetrics* metrics);
  ~RedisAlertLog() override;
  void Append(const alert::AlertRecord&) override {}  // The store's script appended it to the stream.
  void Stop(absl::Time deadline) override ABSL_LOCKS_EXCLUDED(mu_);

  static constexpr char kGroup[] = "detectd";

 private:
  void Run();
  bool EnsureGroups();
  // Delivers and acknowledges each entry of an XREADGROUP / XAUTOCLAIM entry list; false on a Redis error.
  bool DeliverEntries(const std::string& stream, const redisReply* entries, bool claimed);
  bool ReadNew();
  bool ClaimStale();
  bool stopping() ABSL_LOCKS_EXCLUDED(mu_);

  const AlertOptions options_;
  std::unique_ptr<Dispatcher> dispatcher_;
  AlertMetrics* const metrics_;
  RedisConnection conn_;
  std::string consumer_;
  std::vector<std::string> streams_;
  bool per_stream_reads_ = false;  // After a CROSSSLOT error (Redis Cluster): one stream per read.
  absl::Time next_claim_ = absl::InfinitePast();
  absl::Mutex mu_;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::thread thread_;
};

}  // namespace detect::server

#endif  // DETECT_SERVER_ALERTS_REDIS_ALERT_LOG_H_
