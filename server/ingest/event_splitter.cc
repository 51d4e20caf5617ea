// simdjson On-Demand walks the top level only; each event's raw JSON text is kept as a view into the body.
#include "server/ingest/event_splitter.h"

#include <simdjson.h>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"

namespace detect::server {
namespace {

static_assert(kJsonPadding >= simdjson::SIMDJSON_PADDING);

absl::string_view View(std::string_view s) { return absl::string_view(s.data(), s.size()); }

absl::Status AppendArrayElements(simdjson::ondemand::array array, std::vector<absl::string_view>* events) {
  for (auto element : array) {
    simdjson::ondemand::value v;
    if (element.get(v) != simdjson::SUCCESS) return absl::InvalidArgumentError("malformed JSON array of events");
    // simdjson 3.0 has raw_json() on objects and arrays only; a scalar event is kept as its token (the
    // evaluator then reports it as "not one object").
    std::string_view raw;
    simdjson::ondemand::json_type type;
    simdjson::error_code error = v.type().get(type);
    if (error == simdjson::SUCCESS) {
      if (type == simdjson::ondemand::json_type::object) {
        simdjson::ondemand::object o;
        error = v.get_object().get(o);
        if (error == simdjson::SUCCESS) error = o.raw_json().get(raw);
      } else if (type == simdjson::ondemand::json_type::array) {
        simdjson::ondemand::array a;
        error = v.get_array().get(a);
        if (error == simdjson::SUCCESS) error = a.raw_json().get(raw);
      } else {
        raw = v.raw_json_token();
      }
    }
    if (error != simdjson::SUCCESS) {
      return absl::InvalidArgumentError("malformed event in the JSON array");
    }
    events->push_back(absl::StripTrailingAsciiWhitespace(View(raw)));  // raw_json keeps trailing blanks.
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status SplitAuditWebhookBody(const std::string& body, std::vector<absl::string_view>* events) {
  simdjson::ondemand::parser parser;
  simdjson::ondemand::document doc;
  if (body.capacity() < body.size() + kJsonPadding ||
      parser.iterate(body.data(), body.size(), body.capacity()).get(doc) != simdjson::SUCCESS) {
    return absl::InvalidArgumentError("body is not JSON");
  }
  simdjson::ondemand::object root;
  if (doc.get_object().get(root) != simdjson::SUCCESS) {
    return absl::InvalidArgumentError("body is not a JSON object (want an audit.k8s.io/v1 EventList or Event)");
  }
  std::string_view kind;
  if (root.find_field_unordered("kind").get_string().get(kind) != simdjson::SUCCESS) {
    return absl::InvalidArgumentError("body has no \"kind\" (want EventList or Event)");
  }
  if (kind == "Event") {
    events->push_back(absl::StripAsciiWhitespace(body));
    return absl::OkStatus();
  }
  if (kind != "EventList") {
    return absl::InvalidArgumentError(absl::StrCat("kind is \"", View(kind), "\"; want EventList or Event"));
  }
  simdjson::ondemand::value items;
  const auto error = root.find_field_unordered("items").get(items);
  if (error == simdjson::NO_SUCH_FIELD) return absl::OkStatus();  // An empty list may omit items.
  simdjson::ondemand::array array;
  if (error != simdjson::SUCCESS || items.get_array().get(array) != simdjson::SUCCESS) {
    return absl::InvalidArgumentError("EventList \"items\" is not an array");
  }
  return AppendArrayElements(array, events);
}

absl::Status SplitEventsBody(const std::string& body, std::vector<absl::string_view>* events) {
  const absl::string_view text = absl::StripLeadingAsciiWhitespace(body);
  if (!text.empty() && text.front() == '[') {
    simdjson::ondemand::parser parser;
    simdjson::ondemand::document doc;
    simdjson::ondemand::array array;
    if (body.capacity() < body.size() + kJsonPadding ||
        parser.iterate(body.data(), body.size(), body.capacity()).get(doc) != simdjson::SUCCESS ||
        doc.get_array().get(array) != simdjson::SUCCESS) {
      return absl::InvalidArgumentError("body starts with '[' but is not a JSON array");
    }
    return AppendArrayElements(array, events);
  }
  absl::string_view rest = body;
  while (!rest.empty()) {
    const size_t eol = rest.find('\n');
    const absl::string_view line = absl::StripAsciiWhitespace(rest.substr(0, eol));
    if (!line.empty()) events->push_back(line);
    if (eol == absl::string_view::npos) break;
    rest.remove_prefix(eol + 1);
  }
  return absl::OkStatus();
}

}  // namespace detect::server
