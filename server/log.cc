// Structured log lines: {"ts":"2024-01-02T03:04:05.678Z","level":"info","msg":"...","key":value,...}.
#include "server/log.h"

#include <unistd.h>

#include <atomic>
#include <cmath>
#include <cstdio>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "common/json_escape.h"

namespace detect::server {
namespace {

std::atomic<LogFormat> g_format{LogFormat::kJson};
std::atomic<LogLevel> g_min_level{LogLevel::kInfo};

absl::string_view LevelName(LogLevel level) {
  switch (level) {
    case LogLevel::kDebug: return "debug";
    case LogLevel::kInfo: return "info";
    case LogLevel::kWarning: return "warning";
    case LogLevel::kError: return "error";
  }
  return "info";
}

}  // namespace

void SetLogFormat(LogFormat format) { g_format.store(format); }
void SetMinLogLevel(LogLevel level) { g_min_level.store(level); }

bool ParseLogFormat(absl::string_view text, LogFormat* format) {
  if (text == "json") *format = LogFormat::kJson;
  else if (text == "text") *format = LogFormat::kText;
  else return false;
  return true;
}

LogField::LogField(absl::string_view key, absl::string_view value) : key_(key) {
  AppendJsonString(value, &json_);
}
LogField::LogField(absl::string_view key, bool value) : key_(key), json_(value ? "true" : "false") {}
LogField::LogField(absl::string_view key, double value)
    : key_(key), json_(std::isfinite(value) ? absl::StrCat(value) : "null") {}

void Log(LogLevel level, absl::string_view message, std::initializer_list<LogField> fields) {
  if (level < g_min_level.load(std::memory_order_relaxed)) return;
  const std::string ts = absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ", absl::Now(), absl::UTCTimeZone());
  std::string line;
  if (g_format.load(std::memory_order_relaxed) == LogFormat::kJson) {
    absl::StrAppend(&line, "{\"ts\":\"", ts, "\",\"level\":\"", LevelName(level), "\",\"msg\":");
    AppendJsonString(message, &line);
    for (const LogField& f : fields) {
      line.push_back(',');
      AppendJsonString(f.key(), &line);
      line.push_back(':');
      line.append(f.json());
    }
    line.append("}\n");
  } else {
    absl::StrAppend(&line, ts, " ", absl::AsciiStrToUpper(LevelName(level)), " ", message);
    for (const LogField& f : fields) {
      absl::StrAppend(&line, " ", f.key(), "=", f.json());
    }
    line.push_back('\n');
  }
  // One write(2) per line keeps lines from concurrent threads whole.
  const char* p = line.data();
  size_t left = line.size();
  while (left > 0) {
    ssize_t n = ::write(STDERR_FILENO, p, left);
    if (n <= 0) break;
    p += n;
    left -= static_cast<size_t>(n);
  }
}

}  // namespace detect::server
