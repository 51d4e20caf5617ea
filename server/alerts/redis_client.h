// A small synchronous Redis client over hiredis: one connection that reconnects on demand (at most once per
// backoff interval, so calls fail fast while Redis is down), a pool of them, and the redis:// / unix:// URL.
#ifndef DETECT_SERVER_ALERTS_REDIS_CLIENT_H_
#define DETECT_SERVER_ALERTS_REDIS_CLIENT_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

struct redisContext;
struct redisReply;

namespace detect::server {

struct RedisAddress {
  std::string host;  // Empty with a Unix socket.
  int port = 6379;
  std::string unix_path;
  std::string password;  // redis://:PASSWORD@host:port sends AUTH after connecting.
};

// "redis://HOST:PORT", "redis://:PASSWORD@HOST:PORT" or "unix:///PATH". InvalidArgument otherwise.
absl::StatusOr<RedisAddress> ParseRedisUrl(const std::string& url);

struct ReplyDeleter {
  void operator()(redisReply* r) const;
};
using RedisReply = std::unique_ptr<redisReply, ReplyDeleter>;

// One connection. Thread-compatible (a pool hands it to one thread at a time).
class RedisConnection {
 public:
  RedisConnection(RedisAddress address, absl::Duration timeout);
  ~RedisConnection();
  RedisConnection(const RedisConnection&) = delete;
  RedisConnection& operator=(const RedisConnection&) = delete;

  // Sends one command. Unavailable when Redis cannot be reached (the connection is dropped and re-made on a
  // later call); an error reply is returned as a reply of type REDIS_REPLY_ERROR, not as a status.
  absl::StatusOr<RedisReply> Command(const std::vector<std::string>& argv);
  // Sends every command, then reads every reply: one round trip for the lot (pipelining). The result has one
  // entry per command, in order; when the connection fails, that command and all after it are Unavailable
  // (those before it have their replies). Each command runs on its own: a pipeline is not a transaction.
  std::vector<absl::StatusOr<RedisReply>> Pipeline(const std::vector<std::vector<std::string>>& commands);
  // Changes the read timeout (for blocking reads such as XREADGROUP BLOCK).
  void set_timeout(absl::Duration timeout) { timeout_ = timeout; }

 private:
  absl::Status Connect();
  const RedisAddress address_;
  absl::Duration timeout_;
  redisContext* ctx_ = nullptr;
  absl::Time next_attempt_ = absl::InfinitePast();
};

// A fixed set of connections; Acquire waits for a free one. Thread-safe.
class RedisPool {
 public:
  RedisPool(const RedisAddress& address, absl::Duration timeout, int size);
  class Lease {
   public:
    Lease(RedisPool* pool, std::unique_ptr<RedisConnection> c) : pool_(pool), conn_(std::move(c)) {}
    ~Lease() { pool_->Release(std::move(conn_)); }
    RedisConnection* operator->() { return conn_.get(); }

   private:
    RedisPool* pool_;
    std::unique_ptr<RedisConnection> conn_;
  };
  Lease Acquire() ABSL_LOCKS_EXCLUDED(mu_);

 private:
  void Release(std::unique_ptr<RedisConnection> c) ABSL_LOCKS_EXCLUDED(mu_);
  absl::Mutex mu_;
  std::vector<std::unique_ptr<RedisConnection>> free_ ABSL_GUARDED_BY(mu_);
};

// The reply as text (status, string, integer), for error messages and simple replies.
std::string ReplyText(const redisReply* r);
bool IsErrorReply(const redisReply* r);

}  // namespace detect::server

#endif  // DETECT_SERVER_ALERTS_REDIS_CLIENT_H_
