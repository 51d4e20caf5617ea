// RedisAlertFeed and its cursor.
#include "server/alerts/redis_alert_feed.h"

#include <hiredis/hiredis.h>

#include <algorithm>
#include <cstdint>
#include <limits>
#include <tuple>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "server/alerts/redis_store.h"

namespace detect::server {
namespace {

struct StreamId {
  uint64_t ms = 0, seq = 0;
  bool operator<(const StreamId& o) const { return std::tie(ms, seq) < std::tie(o.ms, o.seq); }
  std::string Text() const { return absl::StrCat(ms, "-", seq); }
};

bool ParseStreamId(absl::string_view text, StreamId* id) {
  std::vector<absl::string_view> parts = absl::StrSplit(text, '-');
  return parts.size() == 2 && absl::SimpleAtoi(parts[0], &id->ms) && absl::SimpleAtoi(parts[1], &id->seq);
}

// "p<partition>-<ms>-<seq>".
bool ParseLogId(absl::string_view text, int* partition, StreamId* id) {
  if (!absl::ConsumePrefix(&text, "p")) return false;
  const size_t dash = text.find('-');
  return dash != absl::string_view::npos && absl::SimpleAtoi(text.substr(0, dash), partition) &&
         ParseStreamId(text.substr(dash + 1), id);
}

// A field of an XINFO STREAM reply (a flat [name, value, ...] array: RESP2, which hiredis speaks).
const redisReply* InfoField(const redisReply* r, absl::string_view name) {
  if (r == nullptr || r->type != REDIS_REPLY_ARRAY) return nullptr;
  for (size_t i = 0; i + 1 < r->elements; i += 2) {
    if (ReplyText(r->element[i]) == name) return r->element[i + 1];
  }
  return nullptr;
}

}  // namespace

class RedisAlertFeed::Cursor final : public FeedCursor {
 public:
  Cursor(const RedisAddress& address, absl::Duration timeout, std::vector<std::string> streams)
      : conn_(address, timeout), timeout_(timeout), streams_(std::move(streams)), positions_(streams_.size()) {}

  // Positions for `since` (see the header); reads each stream's state once.
  absl::Status Start(const std::string& since) {
    int partition = -1;
    StreamId after;
    if (!since.empty() && since != "0") {
      if (!ParseLogId(since, &partition, &after) || partition < 0 ||
          partition >= static_cast<int>(streams_.size())) {
        return absl::InvalidArgumentError(absl::StrCat(
            "since_log_id \"", since, "\" is not an id of this detectd's alert log (Redis store: ids look like "
            "p3-1733500000000-0, partition 0..", streams_.size() - 1,
            "; \"0\" = the oldest kept, empty = only new alerts)"));
      }
    }
    for (size_t p = 0; p < streams_.size(); ++p) {
      absl::StatusOr<RedisReply> info = conn_.Command({"XINFO", "STREAM", streams_[p]});
      if (!info.ok()) return info.status();
      const redisReply* r = info->get();
      const bool exists = !IsErrorReply(r);  // "ERR no such key": nothing appended yet.
      StreamId last, deleted, first;
      int64_t length = 0, added = 0;
      bool has_first = false;
      if (exists) {
        (void)ParseStreamId(ReplyText(InfoField(r, "last-generated-id")), &last);
        (void)ParseStreamId(ReplyText(InfoField(r, "max-deleted-entry-id")), &deleted);  // XDEL.
        (void)absl::SimpleAtoi(ReplyText(InfoField(r, "length")), &length);
        (void)absl::SimpleAtoi(ReplyText(InfoField(r, "entries-added")), &added);
        const redisReply* f = InfoField(r, "first-entry");
        has_first = f != nullptr && f->type == REDIS_REPLY_ARRAY && f->elements >= 1 &&
                    ParseStreamId(ReplyText(f->element[0]), &first);
      }
      if (since.empty()) {
        positions_[p] = last;
        continue;
      }
      if (since == "0") continue;  // 0-0: from the first entry kept.
      StreamId from = after;
      if (static_cast<int>(p) != partition) {  // From millisecond `after.ms` on (see the header).
        from = after.ms == 0 ? StreamId{} : StreamId{after.ms - 1, std::numeric_limits<uint64_t>::max()};
      }
      positions_[p] = from;
      // Entries after the resume position that are gone: deleted (XDEL), or trimmed by MAXLEN (which removes the
      // oldest: some were if fewer remain than were added, and the first left is after the position). Trimming
      // keeps no id, so a position that is itself the newest trimmed entry is reported too (conservative).
      const bool trimmed = added > length && (has_first ? from < first : from < last);
      if (exists && (from < deleted || trimmed)) missed_ = true;
    }
    return absl::OkStatus();
  }

  absl::StatusOr<WatchBatch> Next(size_t max, absl::Duration wait) override {
    WatchBatch batch;
    std::vector<std::pair<StreamId, int>> order;
    if (!per_stream_) {
      std::vector<std::string> argv = {"XREAD", "COUNT", absl::StrCat(max), "BLOCK",
                                       absl::StrCat(std::max<int64_t>(absl::ToInt64Milliseconds(wait), 1)), "STREAMS"};
      argv.insert(argv.end(), streams_.begin(), streams_.end());
      for (const StreamId& id : positions_) argv.push_back(id.Text());
      conn_.set_timeout(timeout_ + wait);
      absl::StatusOr<RedisReply> r = conn_.Command(argv);
      if (!r.ok()) return r.status();
      if (IsErrorReply(r->get())) {
        const std::string err = ReplyText(r->get());
        if (!absl::StrContains(err, "CROSSSLOT")) return absl::UnavailableError(absl::StrCat("XREAD: ", err));
        per_stream_ = true;  // Redis Cluster: one stream per read from now on.
      } else {
        Collect(r->get(), &batch);
      }
    }
    if (per_stream_) {
      conn_.set_timeout(timeout_);
      for (size_t p = 0; p < streams_.size() && batch.alerts.size() < max; ++p) {
        absl::StatusOr<RedisReply> r = conn_.Command(
            {"XREAD", "COUNT", absl::StrCat(max), "STREAMS", streams_[p], positions_[p].Text()});
        if (!r.ok()) return r.status();
        if (IsErrorReply(r->get())) return absl::UnavailableError(absl::StrCat("XREAD: ", ReplyText(r->get())));
        Collect(r->get(), &batch);
      }
      if (batch.alerts.empty()) absl::SleepFor(std::min(wait, absl::Milliseconds(200)));
    }
    // One order across partitions: by entry id, then partition (ids are the Redis server's clock).
    std::sort(batch.alerts.begin(), batch.alerts.end(), [](const WatchedAlert& a, const WatchedAlert& b) {
      int pa = 0, pb = 0;
      StreamId ia, ib;
      (void)ParseLogId(a.log_id, &pa, &ia);
      (void)ParseLogId(b.log_id, &pb, &ib);
      return std::tie(ia.ms, ia.seq, pa) < std::tie(ib.ms, ib.seq, pb);
    });
    if (missed_ && !batch.alerts.empty()) {
      batch.missed = true;
      missed_ = false;
    }
    return batch;
  }

 private:
  // Appends the entries of an XREAD reply ([[stream, [[id, [field, value, ...]], ...]], ...]) and advances.
  void Collect(const redisReply* reply, WatchBatch* batch) {
    if (reply == nullptr || reply->type != REDIS_REPLY_ARRAY) return;  // Nil: nothing within BLOCK.
    for (size_t i = 0; i < reply->elements; ++i) {
      const redisReply* s = reply->element[i];
      if (s->type != REDIS_REPLY_ARRAY || s->elements < 2 || s->element[1]->type != REDIS_REPLY_ARRAY) continue;
      const std::string name = ReplyText(s->element[0]);
      const auto it = std::find(streams_.begin(), streams_.end(), name);
      if (it == streams_.end()) continue;
      const size_t p = static_cast<size_t>(it - streams_.begin());
      const redisReply* entries = s->element[1];
      for (size_t j = 0; j < entries->elements; ++j) {
        const redisReply* entry = entries->element[j];
        if (entry->type != REDIS_REPLY_ARRAY || entry->elements < 2) continue;
        const std::string id = ReplyText(entry->element[0]);
        StreamId sid;
        if (!ParseStreamId(id, &sid)) continue;
        positions_[p] = sid;
        const redisReply* kv = entry->element[1];
        if (kv->type != REDIS_REPLY_ARRAY) continue;
        std::vector<std::pair<std::string, std::string>> fields;
        for (size_t k = 0; k + 1 < kv->elements; k += 2) {
          fields.emplace_back(ReplyText(kv->element[k]), ReplyText(kv->element[k + 1]));
        }
        batch->alerts.push_back(WatchedAlert{absl::StrCat("p", p, "-", id), AlertFromFields(fields)});
      }
    }
  }

  RedisConnection conn_;
  const absl::Duration timeout_;
  const std::vector<std::string> streams_;
  std::vector<StreamId> positions_;  // Per stream: the last entry id read (XREAD returns what follows).
  bool per_stream_ = false;
  bool missed_ = false;
};

RedisAlertFeed::RedisAlertFeed(RedisAddress address, const AlertOptions& options)
    : address_(std::move(address)), timeout_(options.redis_timeout) {
  for (int p = 0; p < std::max(options.redis_partitions, 1); ++p) {
    streams_.push_back(RedisAlertStore::StreamKey(options.redis_prefix, p));
  }
}

absl::StatusOr<std::unique_ptr<FeedCursor>> RedisAlertFeed::Open(const std::string& since) {
  auto cursor = std::make_unique<Cursor>(address_, timeout_, streams_);
  if (absl::Status s = cursor->Start(since); !s.ok()) return s;
  return cursor;
}

}  // namespace detect::server
