// RedisAlertStore: the window script and its arguments.
#include "server/alerts/redis_store.h"

#include <hiredis/hiredis.h>
#include <openssl/sha.h>

#include <algorithm>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/hash/hash.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"

namespace detect::server {
namespace {

// KEYS: 1 window hash, 2 distinct-value set, 3 alert stream, 4 final-update schedule (sorted set of window keys
// by due time); all four in one hash slot.
// ARGV: 1 match time (unix µs), 2 period (µs), 3 threshold, 4 max sample ids, 5 update interval (µs), 6 event id,
// 7 severity (0-4), 8 alert id should this match open the window, 9 distinct value's fingerprint (hex; empty:
// none), 10 most distinct values per window (0: count matches), 11 key TTL (ms), 12 stream MAXLEN, 13 when a
// final update of this alert is due should this match join it without an update (processing time, unix µs),
// 14 the latest time (unix µs) of the matches of this key sent before this one in the same pipeline (empty:
// none), 15.. the opening match's fields (name, value, ...), sent only when the window must open: without them
// (exactly 14 ARGV) a match that would open a window changes nothing and returns {4}, and the caller sends it
// again with them, so the common case (joining an open window) carries no rule metadata and renders nothing.
// ARGV 14 keeps a batch's order: when an earlier match of the key falls at or after the open window's end, it
// got {4} and will open the next window, so this match (earlier in event time, which would otherwise join the
// window about to close) returns {4} too and is sent again after it, as one-by-one recording would place it.
// Returns {outcome, alert id, distinct value dropped (0/1), the alert's fields or false, the previous window's
// final update or false}: outcome 0 below threshold, 1 opened, 2 updated, 3 joined, 4 send the opening fields.
constexpr char kScript[] = R"lua(
local now = tonumber(ARGV[1])
local sev = tonumber(ARGV[7])
local function num(x) return string.format('%.0f', x) end
local function emit(state)
  local all = redis.call('HGETALL', KEYS[1])
  all[#all + 1] = 'state'
  all[#all + 1] = state
  redis.call('XADD', KEYS[3], 'MAXLEN', '~', ARGV[12], '*', unpack(all))
  return all
end
local w = redis.call('HMGET', KEYS[1], 'end', 'alerted', 'last_emit', 'first', 'last', 'hsev', 'id', 'samples',
                     'count', 'ecount')
local wend = tonumber(w[1])
local final = false
local prior = tonumber(ARGV[14])
if wend ~= nil and now < wend and prior ~= nil and prior >= wend then return {4, '', 0, false, false} end
if wend == nil or now >= wend then
  if #ARGV <= 14 then return {4, '', 0, false, false} end
  if w[2] == '1' and redis.call('ZREM', KEYS[4], KEYS[1]) == 1 and tonumber(w[9]) > tonumber(w[10] or '0') then
    redis.call('HSET', KEYS[1], 'last_emit', w[5], 'ecount', w[9])
    final = emit('updated')
  end
  redis.call('DEL', KEYS[1], KEYS[2])
  wend = now + tonumber(ARGV[2])
  local f = {'start', ARGV[1], 'end', num(wend), 'count', '0', 'alerted', '0', 'last_emit', '0', 'first', ARGV[1],
             'last', ARGV[1], 'hsev', ARGV[7], 'id', ARGV[8], 'samples', '', 'dcount', '0', 'ecount', '0'}
  for i = 15, #ARGV do f[#f + 1] = ARGV[i] end
  redis.call('HSET', KEYS[1], unpack(f))
  w = {num(wend), '0', '0', ARGV[1], ARGV[1], ARGV[7], ARGV[8], ''}
end
local count = redis.call('HINCRBY', KEYS[1], 'count', 1)
local upd = {}
if now < tonumber(w[4]) then upd[#upd + 1] = 'first'; upd[#upd + 1] = ARGV[1] end
if now > tonumber(w[5]) then upd[#upd + 1] = 'last'; upd[#upd + 1] = ARGV[1] end
if sev > tonumber(w[6]) then upd[#upd + 1] = 'hsev'; upd[#upd + 1] = ARGV[7] end
if count <= tonumber(ARGV[4]) and ARGV[6] ~= '' then
  local s = w[8]
  if s ~= '' then s = s .. '\n' end
  upd[#upd + 1] = 'samples'; upd[#upd + 1] = s .. ARGV[6]
end
local progress = count
local dropped = 0
if ARGV[10] ~= '0' then
  if ARGV[9] ~= '' then
    if redis.call('SCARD', KEYS[2]) < tonumber(ARGV[10]) then
      redis.call('SADD', KEYS[2], ARGV[9])
    elseif redis.call('SISMEMBER', KEYS[2], ARGV[9]) == 0 then
      dropped = 1
    end
  end
  progress = redis.call('SCARD', KEYS[2])
  upd[#upd + 1] = 'dcount'; upd[#upd + 1] = tostring(progress)
  redis.call('PEXPIRE', KEYS[2], ARGV[11])
end
if #upd > 0 then redis.call('HSET', KEYS[1], unpack(upd)) end
redis.call('PEXPIRE', KEYS[1], ARGV[11])
local id = w[7]
local state
if w[2] == '0' then
  if progress < tonumber(ARGV[3]) then return {0, id, dropped, false, final} end
  state = 'opened'
  redis.call('HSET', KEYS[1], 'alerted', '1', 'last_emit', ARGV[1], 'ecount', tostring(count))
else
  if now - tonumber(w[3]) < tonumber(ARGV[5]) then
    redis.call('ZADD', KEYS[4], 'NX', ARGV[13], KEYS[1])
    return {3, id, dropped, false, final}
  end
  state = 'updated'
  redis.call('HSET', KEYS[1], 'last_emit', ARGV[1], 'ecount', tostring(count))
end
redis.call('ZREM', KEYS[4], KEYS[1])
local all = emit(state)
if state == 'opened' then return {1, id, dropped, all, final} end
return {2, id, dropped, all, final}
)lua";

// KEYS: 1 final-update schedule of one partition, 2 its alert stream. ARGV: 1 now (processing time, unix µs),
// 2 most windows to flush, 3 stream MAXLEN. The windows named in the schedule share its hash slot (their keys
// carry its {pN} tag). Returns the alerts it appended (each as field/value pairs).
constexpr char kFlushScript[] = R"lua(
local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, tonumber(ARGV[2]))
local out = {}
for _, wkey in ipairs(due) do
  redis.call('ZREM', KEYS[1], wkey)
  local w = redis.call('HMGET', wkey, 'alerted', 'count', 'ecount', 'last')
  if w[1] == '1' and tonumber(w[2]) > tonumber(w[3] or '0') then
    redis.call('HSET', wkey, 'last_emit', w[4], 'ecount', w[2])
    local all = redis.call('HGETALL', wkey)
    all[#all + 1] = 'state'
    all[#all + 1] = 'updated'
    redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[3], '*', unpack(all))
    out[#out + 1] = all
  end
end
return out
)lua";

constexpr int64_t kStreamMaxLen = 100000;
constexpr int kFlushBatch = 1000;
constexpr absl::Duration kKeyGrace = absl::Minutes(1);

std::string Sha1Hex(absl::string_view s) {
  unsigned char digest[SHA_DIGEST_LENGTH];
  SHA1(reinterpret_cast<const unsigned char*>(s.data()), s.size(), digest);
  std::string out;
  for (unsigned char c : digest) absl::StrAppendFormat(&out, "%02x", c);
  return out;
}

int64_t Micros(absl::Time t) { return absl::ToUnixMicros(t); }
absl::Time FromMicros(absl::string_view s) {
  int64_t v = 0;
  (void)absl::SimpleAtoi(s, &v);
  return absl::FromUnixMicros(v);
}
std::vector<std::string> Lines(absl::string_view s) {
  if (s.empty()) return {};
  return absl::StrSplit(s, '\n');
}
Severity SeverityOf(absl::string_view s) {
  int v = 0;
  (void)absl::SimpleAtoi(s, &v);
  return static_cast<Severity>(std::clamp(v, 0, 4));
}

// An alert from a reply of field/value pairs.
alert::AlertRecord AlertFromReply(const redisReply* all) {
  std::vector<std::pair<std::string, std::string>> fields;
  fields.reserve(all->elements / 2);
  for (size_t i = 0; i + 1 < all->elements; i += 2) {
    fields.emplace_back(ReplyText(all->element[i]), ReplyText(all->element[i + 1]));
  }
  return AlertFromFields(fields);
}

}  // namespace

const char* RedisAlertStore::Script() { return kScript; }

std::string RedisAlertStore::StreamKey(const std::string& prefix, int partition) {
  return absl::StrCat(prefix, ":{p", partition, "}:alerts");
}

std::string RedisAlertStore::DueKey(const std::string& prefix, int partition) {
  return absl::StrCat(prefix, ":{p", partition, "}:due");
}

absl::StatusOr<std::vector<alert::AlertRecord>> RedisAlertStore::FlushDue(absl::Time now) {
  std::vector<alert::AlertRecord> out;
  RedisPool::Lease conn = pool_.Acquire();
  std::vector<std::vector<std::string>> commands;
  for (int p = 0; p < std::max(options_.redis_partitions, 1); ++p) {
    commands.push_back({"EVALSHA", flush_sha_, "2", DueKey(options_.redis_prefix, p),
                        StreamKey(options_.redis_prefix, p), absl::StrCat(Micros(now)), absl::StrCat(kFlushBatch),
                        absl::StrCat(kStreamMaxLen)});
  }
  std::vector<absl::StatusOr<RedisReply>> replies = Run(conn.operator->(), std::move(commands), kFlushScript);
  for (const absl::StatusOr<RedisReply>& reply : replies) {
    if (!reply.ok()) return reply.status();
    const redisReply* r = reply->get();
    if (IsErrorReply(r)) return absl::InternalError(absl::StrCat("redis flush script: ", ReplyText(r)));
    if (r->type != REDIS_REPLY_ARRAY) return absl::InternalError("redis flush script: bad reply");
    for (size_t i = 0; i < r->elements; ++i) out.push_back(AlertFromReply(r->element[i]));
  }
  return out;
}

RedisAlertStore::RedisAlertStore(const RedisAddress& address, const AlertOptions& options)
    : options_(options),
      pool_(address, options.redis_timeout, 4),
      sha_(Sha1Hex(kScript)),
      flush_sha_(Sha1Hex(kFlushScript)) {}

std::vector<std::string> RedisAlertStore::Argv(const alert::MatchRecord& m, bool with_opener,
                                               std::optional<absl::Time> prior) const {
  const alert::RuleMeta& rule = *m.rule;
  const std::string key_hash = alert::AlertId(rule.id, m.dedup, absl::UnixEpoch());
  const int partition = static_cast<int>(std::stoull(key_hash.substr(0, 8), nullptr, 16) %
                                         static_cast<uint64_t>(std::max(options_.redis_partitions, 1)));
  const std::string slot = absl::StrCat(options_.redis_prefix, ":{p", partition, "}:");
  const absl::Duration period = absl::Minutes(std::max(rule.dedup_period_minutes, 1));
  const bool distinct = !rule.threshold_field.empty();
  std::vector<std::string> argv = {
      "EVALSHA", sha_, "4", slot + "w:" + key_hash, slot + "d:" + key_hash, StreamKey(options_.redis_prefix, partition),
      DueKey(options_.redis_prefix, partition),
      absl::StrCat(Micros(m.time)), absl::StrCat(absl::ToInt64Microseconds(period)),
      absl::StrCat(std::max(rule.threshold, 1)), absl::StrCat(options_.policy.max_sample_event_ids),
      absl::StrCat(absl::ToInt64Microseconds(options_.policy.update_interval)), m.event_id,
      absl::StrCat(static_cast<int>(m.severity)), with_opener ? alert::AlertId(rule.id, m.dedup, m.time) : "",
      distinct && !m.distinct_value.empty() ? absl::StrFormat("%016x", alert::DistinctFingerprint(m.distinct_value))
                                            : std::string(),
      distinct ? absl::StrCat(alert::DistinctBound(rule, options_.policy)) : "0",
      absl::StrCat(absl::ToInt64Milliseconds(period + kKeyGrace)), absl::StrCat(kStreamMaxLen),
      absl::StrCat(Micros(absl::Now() + std::min(options_.policy.update_interval, period))),
      prior.has_value() ? absl::StrCat(Micros(*prior)) : std::string()};
  if (!with_opener) return argv;
  std::string context, summary;
  alert::OpenerFields(m, &context, &summary);
  argv.insert(argv.end(),
              {"rule_id", rule.id, "dedup", m.dedup, "title", m.title, "sev",
               absl::StrCat(static_cast<int>(m.severity)), "ctx", std::move(context), "sum", std::move(summary),
               "r:display", rule.display_name, "r:desc", rule.description, "r:runbook", rule.runbook, "r:ref",
               rule.reference, "r:tags", absl::StrJoin(rule.tags, "\n"), "r:mitre", absl::StrJoin(rule.mitre, "\n"),
               "r:period", absl::StrCat(rule.dedup_period_minutes), "r:threshold", absl::StrCat(rule.threshold),
               "r:tfield", rule.threshold_field});
  return argv;
}

std::vector<absl::StatusOr<RedisReply>> RedisAlertStore::Run(RedisConnection* conn,
                                                             std::vector<std::vector<std::string>> commands,
                                                             const char* script) {
  std::vector<absl::StatusOr<RedisReply>> replies = conn->Pipeline(commands);
  std::vector<size_t> noscript;
  for (size_t i = 0; i < replies.size(); ++i) {
    if (replies[i].ok() && IsErrorReply(replies[i]->get()) &&
        absl::StartsWith(ReplyText(replies[i]->get()), "NOSCRIPT")) {
      noscript.push_back(i);  // The script did not run: nothing changed; load it and send these again.
    }
  }
  if (noscript.empty()) return replies;
  absl::StatusOr<RedisReply> load = conn->Command({"SCRIPT", "LOAD", script});
  if (!load.ok()) {
    for (size_t i : noscript) replies[i] = load.status();
    return replies;
  }
  std::vector<std::vector<std::string>> again;
  for (size_t i : noscript) again.push_back(std::move(commands[i]));
  std::vector<absl::StatusOr<RedisReply>> retried = conn->Pipeline(again);
  for (size_t j = 0; j < noscript.size(); ++j) replies[noscript[j]] = std::move(retried[j]);
  return replies;
}

namespace {

// Window keys (rule id, dedup) by pointer into the batch's records, compared by value.
struct KeyHash {
  size_t operator()(const std::pair<const std::string*, const std::string*>& k) const {
    return absl::HashOf(*k.first, *k.second);
  }
};
struct KeyEq {
  bool operator()(const std::pair<const std::string*, const std::string*>& a,
                  const std::pair<const std::string*, const std::string*>& b) const {
    return *a.first == *b.first && *a.second == *b.second;
  }
};

// Per window key, the latest match time seen so far in one pipeline round.
class LatestByKey {
 public:
  // The latest time of the matches of m's key passed before (nullopt: none); then counts m.
  std::optional<absl::Time> Prior(const alert::MatchRecord& m) {
    auto [it, inserted] = latest_.try_emplace({&m.rule->id, &m.dedup}, m.time);
    if (inserted) return std::nullopt;
    const absl::Time prior = it->second;
    it->second = std::max(prior, m.time);
    return prior;
  }

 private:
  absl::flat_hash_map<std::pair<const std::string*, const std::string*>, absl::Time, KeyHash, KeyEq> latest_;
};

// One script reply; code 4 (the window must open) is returned as outcome kBelowThreshold with `needs_open`.
absl::StatusOr<alert::RecordResult> ParseReply(const absl::StatusOr<RedisReply>& reply, bool* needs_open) {
  *needs_open = false;
  if (!reply.ok()) return reply.status();
  const redisReply* r = reply->get();
  if (IsErrorReply(r)) return absl::InternalError(absl::StrCat("redis alert script: ", ReplyText(r)));
  if (r->type != REDIS_REPLY_ARRAY || r->elements < 3) return absl::InternalError("redis alert script: bad reply");
  alert::RecordResult result;
  const int64_t code = r->element[0]->integer;
  if (code == 4) {
    *needs_open = true;
    return result;
  }
  result.outcome = code == 1   ? alert::Outcome::kAlertOpened
                   : code == 2 ? alert::Outcome::kAlertUpdated
                   : code == 3 ? alert::Outcome::kAlertJoined
                               : alert::Outcome::kBelowThreshold;
  if (result.outcome != alert::Outcome::kBelowThreshold) result.alert_id = ReplyText(r->element[1]);
  result.distinct_dropped = r->element[2]->integer != 0;
  if (r->elements >= 4 && r->element[3]->type == REDIS_REPLY_ARRAY) result.emit = AlertFromReply(r->element[3]);
  if (r->elements >= 5 && r->element[4]->type == REDIS_REPLY_ARRAY) {
    result.final_update = AlertFromReply(r->element[4]);
  }
  return result;
}

}  // namespace

absl::StatusOr<alert::RecordResult> RedisAlertStore::Record(const alert::MatchRecord& match) {
  return std::move(RecordAll({&match})[0]);
}

std::vector<absl::StatusOr<alert::RecordResult>> RedisAlertStore::RecordBatch(
    const std::vector<alert::MatchRecord>& matches) {
  std::vector<const alert::MatchRecord*> all;
  all.reserve(matches.size());
  for (const alert::MatchRecord& m : matches) all.push_back(&m);
  return RecordAll(all);
}

std::vector<absl::StatusOr<alert::RecordResult>> RedisAlertStore::RecordAll(
    const std::vector<const alert::MatchRecord*>& matches) {
  std::vector<absl::StatusOr<alert::RecordResult>> out;
  out.reserve(matches.size());
  if (matches.empty()) return out;
  RedisPool::Lease conn = pool_.Acquire();
  // Round trip 1: every match without its opening fields, each with the latest time of its key's matches before
  // it in the round (the script keeps the batch's order with it).
  std::vector<std::vector<std::string>> commands;
  commands.reserve(matches.size());
  LatestByKey latest;
  for (const alert::MatchRecord* m : matches) {
    commands.push_back(Argv(*m, /*with_opener=*/false, latest.Prior(*m)));
  }
  std::vector<absl::StatusOr<RedisReply>> replies = Run(conn.operator->(), std::move(commands));
  std::vector<size_t> to_open;
  for (size_t i = 0; i < matches.size(); ++i) {
    bool needs_open = false;
    out.push_back(ParseReply(replies[i], &needs_open));
    if (needs_open) to_open.push_back(i);
  }
  // Then the matches that found no open window, in their order, until none is left: in each round the first
  // match of each key sends the opening fields (and opens the window), the others of its key join it without
  // them (one asks again only if it falls after the window it would have joined, event clock, or follows one of
  // its key that asked again).
  while (!to_open.empty()) {
    absl::flat_hash_set<std::pair<const std::string*, const std::string*>, KeyHash, KeyEq> opening;
    LatestByKey round_latest;
    std::vector<std::vector<std::string>> round;
    round.reserve(to_open.size());
    for (size_t i : to_open) {
      const alert::MatchRecord& m = *matches[i];
      round.push_back(Argv(m, /*with_opener=*/opening.insert({&m.rule->id, &m.dedup}).second,
                           round_latest.Prior(m)));
    }
    std::vector<absl::StatusOr<RedisReply>> round_replies = Run(conn.operator->(), std::move(round));
    std::vector<size_t> again;
    for (size_t j = 0; j < to_open.size(); ++j) {
      bool needs_open = false;
      out[to_open[j]] = ParseReply(round_replies[j], &needs_open);
      if (needs_open) again.push_back(to_open[j]);
    }
    to_open = std::move(again);
  }
  return out;
}

alert::AlertRecord AlertFromFields(const std::vector<std::pair<std::string, std::string>>& fields) {
  alert::AlertRecord a;
  auto rule = std::make_shared<alert::RuleMeta>();
  for (const auto& [k, v] : fields) {
    if (k == "id") a.alert_id = v;
    else if (k == "state") a.state = v == "updated" ? alert::AlertState::kUpdated : alert::AlertState::kOpened;
    else if (k == "rule_id") rule->id = v;
    else if (k == "dedup") a.dedup = v;
    else if (k == "title") a.title = v;
    else if (k == "sev") a.severity = SeverityOf(v);
    else if (k == "hsev") a.highest_severity = SeverityOf(v);
    else if (k == "ctx") a.alert_context_json = v;
    else if (k == "sum") a.summary_json = v;
    else if (k == "start") a.window_start = FromMicros(v);
    else if (k == "end") a.window_end = FromMicros(v);
    else if (k == "first") a.first_match_time = FromMicros(v);
    else if (k == "last") a.last_match_time = FromMicros(v);
    else if (k == "count") (void)absl::SimpleAtoi(v, &a.match_count);
    else if (k == "dcount") (void)absl::SimpleAtoi(v, &a.distinct_count);
    else if (k == "samples") a.sample_event_ids = Lines(v);
    else if (k == "r:display") rule->display_name = v;
    else if (k == "r:desc") rule->description = v;
    else if (k == "r:runbook") rule->runbook = v;
    else if (k == "r:ref") rule->reference = v;
    else if (k == "r:tags") rule->tags = Lines(v);
    else if (k == "r:mitre") rule->mitre = Lines(v);
    else if (k == "r:period") (void)absl::SimpleAtoi(v, &rule->dedup_period_minutes);
    else if (k == "r:threshold") (void)absl::SimpleAtoi(v, &rule->threshold);
    else if (k == "r:tfield") rule->threshold_field = v;
  }
  a.rule = std::move(rule);
  return a;
}

}  // namespace detect::server
