// RedisConnection, RedisPool and URL parsing over hiredis.
#include "server/alerts/redis_client.h"

#include <hiredis/hiredis.h>

#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"

namespace detect::server {
namespace {

constexpr absl::Duration kReconnectBackoff = absl::Milliseconds(100);


}  // namespace

void ReplyDeleter::operator()(redisReply* r) const { freeReplyObject(r); }

absl::StatusOr<RedisAddress> ParseRedisUrl(const std::string& url) {
  RedisAddress a;
  absl::string_view rest = url;
  if (absl::ConsumePrefix(&rest, "unix://")) {
    if (rest.empty() || rest[0] != '/') return absl::InvalidArgumentError("unix:// needs an absolute socket path");
    a.unix_path = std::string(rest);
    return a;
  }
  if (!absl::ConsumePrefix(&rest, "redis://")) {
    return absl::InvalidArgumentError(absl::StrCat("not a redis:// or unix:// URL: '", url, "'"));
  }
  if (size_t at = rest.rfind('@'); at != absl::string_view::npos) {
    absl::string_view auth = rest.substr(0, at);
    absl::ConsumePrefix(&auth, ":");
    a.password = std::string(auth);
    rest = rest.substr(at + 1);
  }
  absl::ConsumeSuffix(&rest, "/");
  size_t colon = rest.rfind(':');
  if (colon == absl::string_view::npos) {
    a.host = std::string(rest);
  } else {
    a.host = std::string(rest.substr(0, colon));
    if (!absl::SimpleAtoi(rest.substr(colon + 1), &a.port) || a.port <= 0 || a.port > 65535) {
      return absl::InvalidArgumentError(absl::StrCat("bad port in '", url, "'"));
    }
  }
  if (a.host.empty()) return absl::InvalidArgumentError(absl::StrCat("no host in '", url, "'"));
  return a;
}

RedisConnection::RedisConnection(RedisAddress address, absl::Duration timeout)
    : address_(std::move(address)), timeout_(timeout) {}

RedisConnection::~RedisConnection() {
  if (ctx_ != nullptr) redisFree(ctx_);
}

absl::Status RedisConnection::Connect() {
  const absl::Time now = absl::Now();
  if (now < next_attempt_) return absl::UnavailableError("redis unreachable (waiting before reconnecting)");
  next_attempt_ = now + kReconnectBackoff;
  const timeval tv = absl::ToTimeval(timeout_);
  ctx_ = address_.unix_path.empty() ? redisConnectWithTimeout(address_.host.c_str(), address_.port, tv)
                                    : redisConnectUnixWithTimeout(address_.unix_path.c_str(), tv);
  if (ctx_ == nullptr || ctx_->err != 0) {
    std::string err = ctx_ != nullptr ? ctx_->errstr : "out of memory";
    if (ctx_ != nullptr) redisFree(ctx_);
    ctx_ = nullptr;
    return absl::UnavailableError(absl::StrCat("redis connect: ", err));
  }
  redisSetTimeout(ctx_, tv);
  if (!address_.password.empty()) {
    RedisReply r(static_cast<redisReply*>(redisCommand(ctx_, "AUTH %b", address_.password.data(),
                                                       address_.password.size())));
    if (r == nullptr || IsErrorReply(r.get())) {
      std::string err = r != nullptr ? ReplyText(r.get()) : ctx_->errstr;
      redisFree(ctx_);
      ctx_ = nullptr;
      return absl::PermissionDeniedError(absl::StrCat("redis AUTH: ", err));
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<RedisReply> RedisConnection::Command(const std::vector<std::string>& argv) {
  if (ctx_ == nullptr) {
    if (absl::Status s = Connect(); !s.ok()) return s;
  }
  redisSetTimeout(ctx_, absl::ToTimeval(timeout_));
  std::vector<const char*> args;
  std::vector<size_t> lens;
  args.reserve(argv.size());
  lens.reserve(argv.size());
  for (const std::string& a : argv) {
    args.push_back(a.data());
    lens.push_back(a.size());
  }
  RedisReply reply(static_cast<redisReply*>(
      redisCommandArgv(ctx_, static_cast<int>(args.size()), args.data(), lens.data())));
  if (reply == nullptr) {
    std::string err = ctx_->errstr;
    redisFree(ctx_);
    ctx_ = nullptr;
    return absl::UnavailableError(absl::StrCat("redis: ", err));
  }
  return reply;
}

std::vector<absl::StatusOr<RedisReply>> RedisConnection::Pipeline(
    const std::vector<std::vector<std::string>>& commands) {
  std::vector<absl::StatusOr<RedisReply>> out;
  out.reserve(commands.size());
  const auto fail_rest = [&](const absl::Status& s) {
    while (out.size() < commands.size()) out.push_back(s);
  };
  if (commands.empty()) return out;
  if (ctx_ == nullptr) {
    if (absl::Status s = Connect(); !s.ok()) {
      fail_rest(s);
      return out;
    }
  }
  redisSetTimeout(ctx_, absl::ToTimeval(timeout_));
  std::vector<const char*> args;
  std::vector<size_t> lens;
  for (const std::vector<std::string>& argv : commands) {
    args.clear();
    lens.clear();
    for (const std::string& a : argv) {
      args.push_back(a.data());
      lens.push_back(a.size());
    }
    if (redisAppendCommandArgv(ctx_, static_cast<int>(args.size()), args.data(), lens.data()) != REDIS_OK) {
      const absl::Status s = absl::UnavailableError(absl::StrCat("redis: ", ctx_->errstr));
      redisFree(ctx_);
      ctx_ = nullptr;
      fail_rest(s);  // Nothing was sent yet (hiredis buffers until the first read).
      return out;
    }
  }
  for (size_t i = 0; i < commands.size(); ++i) {
    void* raw = nullptr;
    if (redisGetReply(ctx_, &raw) != REDIS_OK || raw == nullptr) {
      const absl::Status s = absl::UnavailableError(absl::StrCat("redis: ", ctx_->errstr));
      redisFree(ctx_);
      ctx_ = nullptr;
      fail_rest(s);
      return out;
    }
    out.push_back(RedisReply(static_cast<redisReply*>(raw)));
  }
  return out;
}

RedisPool::RedisPool(const RedisAddress& address, absl::Duration timeout, int size) {
  for (int i = 0; i < size; ++i) free_.push_back(std::make_unique<RedisConnection>(address, timeout));
}

RedisPool::Lease RedisPool::Acquire() {
  absl::MutexLock lock(&mu_);
  const auto available = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return !free_.empty(); };
  mu_.Await(absl::Condition(&available));
  std::unique_ptr<RedisConnection> c = std::move(free_.back());
  free_.pop_back();
  return Lease(this, std::move(c));
}

void RedisPool::Release(std::unique_ptr<RedisConnection> c) {
  absl::MutexLock lock(&mu_);
  free_.push_back(std::move(c));
}

bool IsErrorReply(const redisReply* r) { return r != nullptr && r->type == REDIS_REPLY_ERROR; }

std::string ReplyText(const redisReply* r) {
  if (r == nullptr) return "";
  switch (r->type) {
    case REDIS_REPLY_STRING:
    case REDIS_REPLY_STATUS:
    case REDIS_REPLY_ERROR: return std::string(r->str, r->len);
    case REDIS_REPLY_INTEGER: return absl::StrCat(r->integer);
    case REDIS_REPLY_NIL: return "";
    default: return "<array>";
  }
}

}  // namespace detect::server
