// Event-time extraction for the event-time alert clock.
#include "alert/event_time.h"

#include <string>

#include "simdjson.h"

namespace detect::alert {

std::optional<absl::Time> ParseEventTimestamp(absl::string_view text) {
  absl::Time t;
  std::string err;
  const std::string s(text);
  if (absl::ParseTime(absl::RFC3339_full, s, &t, &err)) return t;
  if (absl::ParseTime("%Y-%m-%d %H:%M:%E*S", s, absl::UTCTimeZone(), &t, &err)) return t;
  if (absl::ParseTime("%Y-%m-%d %H:%M:%E*S%Ez", s, &t, &err)) return t;
  return std::nullopt;
}

std::optional<absl::Time> EventTimeOfJson(absl::string_view json) {
  thread_local simdjson::dom::parser parser;
  simdjson::dom::element doc;
  if (parser.parse(json.data(), json.size()).get(doc) != simdjson::SUCCESS) return std::nullopt;
  simdjson::dom::object obj;
  if (doc.get_object().get(obj) != simdjson::SUCCESS) return std::nullopt;
  for (absl::string_view field : kEventTimeFields) {
    std::string_view value;
    if (obj.at_key(std::string_view(field.data(), field.size())).get_string().get(value) != simdjson::SUCCESS) {
      continue;
    }
    if (std::optional<absl::Time> t = ParseEventTimestamp(absl::string_view(value.data(), value.size()))) return t;
  }
  return std::nullopt;
}

}  // namespace detect::alert
