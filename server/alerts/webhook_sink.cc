// WebhookSink over libcurl; HMAC over OpenSSL.
#include "server/alerts/webhook_sink.h"

#include <curl/curl.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <mutex>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/json_escape.h"

namespace detect::server {
namespace {

size_t Discard(char*, size_t size, size_t n, void*) { return size * n; }

}  // namespace

std::string HmacSha256Hex(const std::string& secret, const std::string& body) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
       reinterpret_cast<const unsigned char*>(body.data()), body.size(), out, &len);
  std::string hex;
  for (unsigned int i = 0; i < len; ++i) absl::StrAppendFormat(&hex, "%02x", out[i]);
  return hex;
}

std::string SlackBody(const alert::AlertRecord& a) {
  std::string text = absl::StrCat("[", SeverityName(a.highest_severity), "] ", a.title, " (", a.rule->id, "): ",
                                  a.match_count, a.match_count == 1 ? " match" : " matches", " since ",
                                  alert::FormatAlertTime(a.first_match_time), ", alert ", a.alert_id,
                                  a.state == alert::AlertState::kUpdated ? " (update)" : "");
  if (!a.rule->runbook.empty()) absl::StrAppend(&text, "\nRunbook: ", a.rule->runbook);
  std::string body = "{\"text\":";
  AppendJsonString(text, &body);
  body.push_back('}');
  return body;
}

WebhookSink::WebhookSink(std::string url, std::string secret, WebhookFormat format, absl::Duration timeout)
    : url_(std::move(url)),
      secret_(std::move(secret)),
      format_(format),
      timeout_(timeout),
      name_(absl::StrCat("webhook:", url_)) {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
  curl_ = curl_easy_init();
}

WebhookSink::~WebhookSink() {
  absl::MutexLock lock(&mu_);
  if (curl_ != nullptr) curl_easy_cleanup(static_cast<CURL*>(curl_));
}

absl::Status WebhookSink::Deliver(const alert::AlertRecord& alert, const std::string& json) {
  const std::string body = format_ == WebhookFormat::kSlack ? SlackBody(alert) : json;
  absl::MutexLock lock(&mu_);
  CURL* c = static_cast<CURL*>(curl_);
  if (c == nullptr) return absl::InternalError("curl_easy_init failed");
  curl_easy_reset(c);
  curl_slist* headers = nullptr;
  headers = curl_slist_append(headers, "Content-Type: application/json");
  const std::string id_header = absl::StrCat("X-Detectd-Alert-Id: ", alert.alert_id);
  headers = curl_slist_append(headers, id_header.c_str());
  std::string sig_header;
  if (!secret_.empty()) {
    sig_header = absl::StrCat("X-Detectd-Signature: sha256=", HmacSha256Hex(secret_, body));
    headers = curl_slist_append(headers, sig_header.c_str());
  }
  curl_easy_setopt(c, CURLOPT_URL, url_.c_str());
  curl_easy_setopt(c, CURLOPT_POST, 1L);
  curl_easy_setopt(c, CURLOPT_POSTFIELDS, body.data());
  curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, static_cast<long>(body.size()));
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, static_cast<long>(absl::ToInt64Milliseconds(timeout_)));
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, Discard);
  const CURLcode rc = curl_easy_perform(c);
  long status = 0;
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
  curl_slist_free_all(headers);
  if (rc != CURLE_OK) return absl::UnavailableError(absl::StrCat(name_, ": ", curl_easy_strerror(rc)));
  if (status < 200 || status > 299) return absl::UnavailableError(absl::StrCat(name_, ": HTTP ", status));
  return absl::OkStatus();
}

}  // namespace detect::server
