// RedisAlertStore: the window script and its arguments.
#include "server/alerts/redis_store.h"

#include <hiredis/hiredis.h>
#include <openssl/sha.h>

#include <algorithm>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"

namespace detect::server {
namespace {

// KEYS: 1 window hash, 2 distinct-value set, 3 alert stream.
// ARGV: 1 match time (unix µs), 2 period (µs), 3 threshold, 4 max sample ids, 5 update interval (µs), 6 event id,
// 7 severity (0-4), 8 alert id should this match open the window, 9 distinct value's fingerprint (hex; empty:
// none), 10 most distinct values per window (0: count matches), 11 key TTL (ms), 12 stream MAXLEN, 13.. the
// opening match's fields (name, value, ...).
// Returns {outcome, alert id, distinct value dropped (0/1)[, the alert's fields]}: outcome 0 below threshold,
// 1 opened, 2 updated, 3 joined.
constexpr char kScript[] = R"lua(
local now = tonumber(ARGV[1])
local sev = tonumber(ARGV[7])
local function num(x) return string.format('%.0f', x) end
local w = redis.call('HMGET', KEYS[1], 'end', 'alerted', 'last_emit', 'first', 'last', 'hsev', 'id', 'samples')
local wend = tonumber(w[1])
if wend == nil or now >= wend then
  redis.call('DEL', KEYS[1], KEYS[2])
  wend = now + tonumber(ARGV[2])
  local f = {'start', ARGV[1], 'end', num(wend), 'count', '0', 'alerted', '0', 'last_emit', '0', 'first', ARGV[1],
             'last', ARGV[1], 'hsev', ARGV[7], 'id', ARGV[8], 'samples', '', 'dcount', '0'}
  for i = 13, #ARGV do f[#f + 1] = ARGV[i] end
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
  if progress < tonumber(ARGV[3]) then return {0, id, dropped} end
  state = 'opened'
  redis.call('HSET', KEYS[1], 'alerted', '1', 'last_emit', ARGV[1])
else
  if now - tonumber(w[3]) < tonumber(ARGV[5]) then return {3, id, dropped} end
  state = 'updated'
  redis.call('HSET', KEYS[1], 'last_emit', ARGV[1])
end
local all = redis.call('HGETALL', KEYS[1])
all[#all + 1] = 'state'
all[#all + 1] = state
redis.call('XADD', KEYS[3], 'MAXLEN', '~', ARGV[12], '*', unpack(all))
if state == 'opened' then return {1, id, dropped, all} end
return {2, id, dropped, all}
)lua";

constexpr int64_t kStreamMaxLen = 100000;
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

}  // namespace

const char* RedisAlertStore::Script() { return kScript; }

std::string RedisAlertStore::StreamKey(const std::string& prefix, int partition) {
  return absl::StrCat(prefix, ":{p", partition, "}:alerts");
}

RedisAlertStore::RedisAlertStore(const RedisAddress& address, const AlertOptions& options)
    : options_(options), pool_(address, options.redis_timeout, 4), sha_(Sha1Hex(kScript)) {}

absl::StatusOr<alert::RecordResult> RedisAlertStore::Record(const alert::MatchRecord& m) {
  const alert::RuleMeta& rule = *m.rule;
  const std::string key_hash = alert::AlertId(rule.id, m.dedup, absl::UnixEpoch());
  const int partition = static_cast<int>(std::stoull(key_hash.substr(0, 8), nullptr, 16) %
                                         static_cast<uint64_t>(std::max(options_.redis_partitions, 1)));
  const std::string slot = absl::StrCat(options_.redis_prefix, ":{p", partition, "}:");
  const absl::Duration period = absl::Minutes(std::max(rule.dedup_period_minutes, 1));
  const bool distinct = !rule.threshold_field.empty();
  std::vector<std::string> argv = {
      "EVALSHA", sha_, "3", slot + "w:" + key_hash, slot + "d:" + key_hash, StreamKey(options_.redis_prefix, partition),
      absl::StrCat(Micros(m.time)), absl::StrCat(absl::ToInt64Microseconds(period)),
      absl::StrCat(std::max(rule.threshold, 1)), absl::StrCat(options_.policy.max_sample_event_ids),
      absl::StrCat(absl::ToInt64Microseconds(options_.policy.update_interval)), m.event_id,
      absl::StrCat(static_cast<int>(m.severity)), alert::AlertId(rule.id, m.dedup, m.time),
      distinct && !m.distinct_value.empty() ? absl::StrFormat("%016x", alert::DistinctFingerprint(m.distinct_value))
                                            : std::string(),
      distinct ? absl::StrCat(alert::DistinctBound(rule, options_.policy)) : "0",
      absl::StrCat(absl::ToInt64Milliseconds(period + kKeyGrace)), absl::StrCat(kStreamMaxLen),
      "rule_id", rule.id, "dedup", m.dedup, "title", m.title, "sev", absl::StrCat(static_cast<int>(m.severity)),
      "ctx", m.alert_context_json, "sum", m.summary_json, "r:display", rule.display_name, "r:desc",
      rule.description, "r:runbook", rule.runbook, "r:ref", rule.reference, "r:tags", absl::StrJoin(rule.tags, "\n"),
      "r:mitre", absl::StrJoin(rule.mitre, "\n"), "r:period", absl::StrCat(rule.dedup_period_minutes),
      "r:threshold", absl::StrCat(rule.threshold), "r:tfield", rule.threshold_field};
  RedisPool::Lease conn = pool_.Acquire();
  absl::StatusOr<RedisReply> reply = conn->Command(argv);
  if (reply.ok() && IsErrorReply(reply->get()) && absl::StartsWith(ReplyText(reply->get()), "NOSCRIPT")) {
    argv[0] = "EVAL";
    argv[1] = kScript;
    reply = conn->Command(argv);
  }
  if (!reply.ok()) return reply.status();
  const redisReply* r = reply->get();
  if (IsErrorReply(r)) return absl::InternalError(absl::StrCat("redis alert script: ", ReplyText(r)));
  if (r->type != REDIS_REPLY_ARRAY || r->elements < 3) return absl::InternalError("redis alert script: bad reply");
  alert::RecordResult result;
  const int64_t code = r->element[0]->integer;
  result.outcome = code == 1   ? alert::Outcome::kAlertOpened
                   : code == 2 ? alert::Outcome::kAlertUpdated
                   : code == 3 ? alert::Outcome::kAlertJoined
                               : alert::Outcome::kBelowThreshold;
  if (result.outcome != alert::Outcome::kBelowThreshold) result.alert_id = ReplyText(r->element[1]);
  result.distinct_dropped = r->element[2]->integer != 0;
  if (r->elements >= 4 && r->element[3]->type == REDIS_REPLY_ARRAY) {
    std::vector<std::pair<std::string, std::string>> fields;
    const redisReply* all = r->element[3];
    for (size_t i = 0; i + 1 < all->elements; i += 2) {
      fields.emplace_back(ReplyText(all->element[i]), ReplyText(all->element[i + 1]));
    }
    result.emit = AlertFromFields(fields);
  }
  return result;
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
