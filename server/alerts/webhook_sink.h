// WebhookSink: POSTs each alert as JSON to a URL with libcurl; optional HMAC-SHA256 signature of the body
// (header X-Detectd-Signature: sha256=HEX) from a shared secret; or a Slack incoming-webhook body ({"text": ...}).
// A 2xx answer is success; anything else (or a timeout) is an error the Dispatcher retries.
#ifndef DETECT_SERVER_ALERTS_WEBHOOK_SINK_H_
#define DETECT_SERVER_ALERTS_WEBHOOK_SINK_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "server/alerts/alert_sink.h"

namespace detect::server {

enum class WebhookFormat { kJson, kSlack };

// Thread-safe (one request at a time per sink).
class WebhookSink final : public AlertSink {
 public:
  WebhookSink(std::string url, std::string secret, WebhookFormat format, absl::Duration timeout);
  ~WebhookSink() override;
  absl::Status Deliver(const alert::AlertRecord& alert, const std::string& json) override;
  const std::string& name() const override { return name_; }

 private:
  const std::string url_;
  const std::string secret_;
  const WebhookFormat format_;
  const absl::Duration timeout_;
  const std::string name_;
  absl::Mutex mu_;
  void* curl_ ABSL_GUARDED_BY(mu_);
};

// HMAC-SHA256 of `body` keyed by `secret`, as lowercase hex.
std::string HmacSha256Hex(const std::string& secret, const std::string& body);
// The Slack text of an alert: "[High] Title (Rule.Id): 3 matches since ... alert ID".
std::string SlackBody(const alert::AlertRecord& alert);

}  // namespace detect::server

#endif  // DETECT_SERVER_ALERTS_WEBHOOK_SINK_H_
