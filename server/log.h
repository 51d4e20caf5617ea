// A small structured logging shim (Debian's abseil has no absl/log): one JSON object per line on stderr, or
// a human-readable line with --log_format=text. Event payloads are never logged at the default level.
#ifndef DETECT_SERVER_LOG_H_
#define DETECT_SERVER_LOG_H_

#include <cstdint>
#include <initializer_list>
#include <string>
#include <type_traits>

#include "absl/strings/string_view.h"

namespace detect::server {

enum class LogLevel { kDebug, kInfo, kWarning, kError };
enum class LogFormat { kJson, kText };

// Process-wide settings; set them once at startup, before other threads log.
void SetLogFormat(LogFormat format);
void SetMinLogLevel(LogLevel level);
bool ParseLogFormat(absl::string_view text, LogFormat* format);

// One key/value of a log line. Holds its value already rendered as JSON.
class LogField {
 public:
  LogField(absl::string_view key, absl::string_view value);
  LogField(absl::string_view key, const char* value) : LogField(key, absl::string_view(value)) {}
  LogField(absl::string_view key, const std::string& value) : LogField(key, absl::string_view(value)) {}
  LogField(absl::string_view key, bool value);
  LogField(absl::string_view key, double value);
  template <typename T, typename = std::enable_if_t<std::is_integral_v<T> && !std::is_same_v<T, bool>>>
  LogField(absl::string_view key, T value) : key_(key), json_(std::to_string(value)) {}

  absl::string_view key() const { return key_; }
  const std::string& json() const { return json_; }

 private:
  absl::string_view key_;
  std::string json_;
};

// Thread-safe: each line is written with one write(2).
void Log(LogLevel level, absl::string_view message, std::initializer_list<LogField> fields = {});


}  // namespace detect::server

#endif  // DETECT_SERVER_LOG_H_
