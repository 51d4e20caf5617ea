// detectd's --alert* flags (defined in alert_flags.cc, linked into detectd only), read into AlertOptions.
#ifndef DETECT_SERVER_ALERTS_ALERT_FLAGS_H_
#define DETECT_SERVER_ALERTS_ALERT_FLAGS_H_

#include <string>
#include <vector>

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/strings/string_view.h"
#include "server/alerts/alert_options.h"

namespace detect::server {

// --alert_webhook's value: every URL of every occurrence.
struct WebhookList {
  std::vector<std::string> urls;
};
bool AbslParseFlag(absl::string_view text, WebhookList* list, std::string* error);
std::string AbslUnparseFlag(const WebhookList& list);

// InvalidArgument naming the flag for a value out of range (e.g. --alert_clock=wall).
absl::StatusOr<AlertOptions> AlertOptionsFromFlags();

}  // namespace detect::server

#endif  // DETECT_SERVER_ALERTS_ALERT_FLAGS_H_
