// RedisAlertLog: the consumer-group loop.
#include "server/alerts/redis_alert_log.h"

#include <hiredis/hiredis.h>
#include <unistd.h>

#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "server/alerts/redis_store.h"
#include "server/log.h"

namespace detect::server {
namespace {

constexpr int kBatch = 64;
constexpr absl::Duration kBlock = absl::Milliseconds(100);
constexpr absl::Duration kErrorPause = absl::Milliseconds(100);

std::string DefaultConsumerName() {
  char host[256] = {0};
  gethostname(host, sizeof(host) - 1);
  return absl::StrCat(host, "-", getpid(), "-", absl::ToUnixMicros(absl::Now()));
}

}  // namespace

RedisAlertLog::RedisAlertLog(const RedisAddress& address, const AlertOptions& options,
                             std::unique_ptr<Dispatcher> dispatcher, AlertMetrics* metrics)
    : options_(options),
      dispatcher_(std::move(dispatcher)),
      metrics_(metrics),
      conn_(address, options.redis_timeout + kBlock),
      consumer_(options.consumer_name.empty() ? DefaultConsumerName() : options.consumer_name) {
  for (int p = 0; p < std::max(options.redis_partitions, 1); ++p) {
    streams_.push_back(RedisAlertStore::StreamKey(options.redis_prefix, p));
  }
  thread_ = std::thread([this] { Run(); });
}

RedisAlertLog::~RedisAlertLog() { Stop(absl::Now()); }

bool RedisAlertLog::stopping() {
  absl::MutexLock lock(&mu_);
  return stopping_;
}

void RedisAlertLog::Stop(absl::Time) {
  {
    absl::MutexLock lock(&mu_);
    if (stopping_ && !thread_.joinable()) return;
    stopping_ = true;
  }
  dispatcher_->Stop();
  if (thread_.joinable()) thread_.join();
}

bool RedisAlertLog::EnsureGroups() {
  for (const std::string& stream : streams_) {
    absl::StatusOr<RedisReply> r = conn_.Command({"XGROUP", "CREATE", stream, kGroup, "0", "MKSTREAM"});
    if (!r.ok()) return false;
    if (IsErrorReply(r->get()) && !absl::StartsWith(ReplyText(r->get()), "BUSYGROUP")) {
      Log(LogLevel::kError, "cannot create the alert consumer group", {{"stream", stream}, {"error", ReplyText(r->get())}});
      return false;
    }
  }
  return true;
}

bool RedisAlertLog::DeliverEntries(const std::string& stream, const redisReply* entries, bool claimed) {
  if (entries == nullptr || entries->type != REDIS_REPLY_ARRAY) return true;
  for (size_t i = 0; i < entries->elements; ++i) {
    const redisReply* entry = entries->element[i];
    // [id, [field, value, ...]]; a claimed entry deleted meanwhile has a nil field list.
    if (entry->type != REDIS_REPLY_ARRAY || entry->elements < 2) continue;
    const std::string id = ReplyText(entry->element[0]);
    const redisReply* kv = entry->element[1];
    if (kv->type == REDIS_REPLY_ARRAY) {
      std::vector<std::pair<std::string, std::string>> fields;
      for (size_t j = 0; j + 1 < kv->elements; j += 2) {
        fields.emplace_back(ReplyText(kv->element[j]), ReplyText(kv->element[j + 1]));
      }
      if (claimed) metrics_->redeliveries.fetch_add(1);
      dispatcher_->Deliver(AlertFromFields(fields));
    }
    absl::StatusOr<RedisReply> ack = conn_.Command({"XACK", stream, kGroup, id});
    if (!ack.ok()) return false;  // Not acknowledged: another replica (or this one) claims it later.
  }
  return true;
}

bool RedisAlertLog::ReadNew() {
  std::vector<std::vector<std::string>> reads;
  if (!per_stream_reads_) {
    std::vector<std::string> argv = {"XREADGROUP", "GROUP", kGroup, consumer_, "COUNT", absl::StrCat(kBatch),
                                     "BLOCK", absl::StrCat(absl::ToInt64Milliseconds(kBlock)), "STREAMS"};
    argv.insert(argv.end(), streams_.begin(), streams_.end());
    for (size_t i = 0; i < streams_.size(); ++i) argv.push_back(">");
    reads.push_back(std::move(argv));
  } else {
    for (const std::string& s : streams_) {
      reads.push_back({"XREADGROUP", "GROUP", kGroup, consumer_, "COUNT", absl::StrCat(kBatch), "STREAMS", s, ">"});
    }
  }
  bool any = false;
  for (const auto& argv : reads) {
    absl::StatusOr<RedisReply> r = conn_.Command(argv);
    if (!r.ok()) return false;
    const redisReply* reply = r->get();
    if (IsErrorReply(reply)) {
      const std::string err = ReplyText(reply);
      if (absl::StrContains(err, "CROSSSLOT") && !per_stream_reads_) {
        per_stream_reads_ = true;
        return true;
      }
      if (absl::StartsWith(err, "NOGROUP")) (void)EnsureGroups();
      Log(LogLevel::kWarning, "alert stream read failed", {{"error", err}});
      return false;
    }
    if (reply->type != REDIS_REPLY_ARRAY) continue;
    for (size_t i = 0; i < reply->elements; ++i) {  // [[stream, [entries]], ...]
      const redisReply* s = reply->element[i];
      if (s->type != REDIS_REPLY_ARRAY || s->elements < 2) continue;
      any = any || s->element[1]->elements > 0;
      if (!DeliverEntries(ReplyText(s->element[0]), s->element[1], false)) return false;
    }
  }
  if (per_stream_reads_ && !any) absl::SleepFor(kBlock);
  return true;
}

bool RedisAlertLog::ClaimStale() {
  const std::string idle = absl::StrCat(absl::ToInt64Milliseconds(options_.redis_claim_idle));
  for (const std::string& stream : streams_) {
    absl::StatusOr<RedisReply> r =
        conn_.Command({"XAUTOCLAIM", stream, kGroup, consumer_, idle, "0-0", "COUNT", absl::StrCat(kBatch)});
    if (!r.ok()) return false;
    const redisReply* reply = r->get();
    if (IsErrorReply(reply)) {
      if (absl::StartsWith(ReplyText(reply), "NOGROUP")) (void)EnsureGroups();
      continue;
    }
    // [next cursor, [entries], [deleted ids]]
    if (reply->type == REDIS_REPLY_ARRAY && reply->elements >= 2 && !DeliverEntries(stream, reply->element[1], true)) {
      return false;
    }
  }
  return true;
}

void RedisAlertLog::Run() {
  bool groups = false;
  bool reported_down = false;
  while (!stopping()) {
    bool ok = groups || (groups = EnsureGroups());
    if (ok && absl::Now() >= next_claim_) {
      ok = ClaimStale();
      next_claim_ = absl::Now() + options_.redis_claim_idle / 2;
    }
    if (ok) ok = ReadNew();
    if (ok) {
      if (reported_down) Log(LogLevel::kInfo, "alert stream reachable again", {{"consumer", consumer_}});
      reported_down = false;
      continue;
    }
    if (!reported_down) {
      Log(LogLevel::kWarning, "alert stream unreachable: alerts wait in Redis until it returns",
          {{"consumer", consumer_}, {"store", options_.store}});
      reported_down = true;
    }
    absl::SleepFor(kErrorPause);
  }
}

}  // namespace detect::server
