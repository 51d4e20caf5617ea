// NDJSON / EventList / single-document input detection and iteration.
#include "client/event_reader.h"

#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"

namespace detect::client {
namespace {

using simdjson::dom::element;
using simdjson::dom::element_type;

bool IsBlank(absl::string_view s) { return absl::StripAsciiWhitespace(s).empty(); }

std::string Minify(element e) { return simdjson::minify(e); }

}  // namespace

absl::StatusOr<std::unique_ptr<EventReader>> EventReader::Open(const std::string& name) {
  if (name == "-") return std::unique_ptr<EventReader>(new EventReader(stdin, false));
  FILE* f = std::fopen(name.c_str(), "rb");
  if (f == nullptr) return absl::NotFoundError(absl::StrCat("cannot read ", name, ": ", std::strerror(errno)));
  return std::unique_ptr<EventReader>(new EventReader(f, true));
}

EventReader::~EventReader() {
  if (owned_) std::fclose(file_);
  std::free(line_buf_);
}

bool EventReader::ReadLine(std::string* line) {
  const ssize_t n = ::getline(&line_buf_, &line_cap_, file_);
  if (n < 0) return false;
  size_t len = static_cast<size_t>(n);
  while (len > 0 && (line_buf_[len - 1] == '\n' || line_buf_[len - 1] == '\r')) --len;
  line->assign(line_buf_, len);
  return true;
}

void EventReader::Expand(element doc) {
  if (doc.type() == element_type::ARRAY) {
    const simdjson::dom::array array = doc.get_array().value_unsafe();  // Not a temporary: range-for below.
    for (element e : array) pending_.push_back(Minify(e));
    return;
  }
  if (doc.type() == element_type::OBJECT) {
    simdjson::dom::array items;
    std::string_view kind;
    const bool is_list = !doc["items"].get(items) && (doc["kind"].get(kind) || kind == "EventList");
    if (is_list) {
      for (element e : items) pending_.push_back(Minify(e));
      return;
    }
  }
  pending_.push_back(Minify(doc));
}

void EventReader::StartDocumentMode(std::string first) {
  document_mode_ = true;
  document_ = std::move(first);
  document_.push_back('\n');
  std::string line;
  while (ReadLine(&line)) absl::StrAppend(&document_, line, "\n");
  element doc;
  if (!parser_.parse(document_).get(doc)) {
    Expand(doc);
    document_.clear();
    return;
  }
  document_lines_ = true;  // Not one document either: give the lines back one by one.
}

bool EventReader::Next(std::string* json) {
  for (;;) {
    if (!pending_.empty()) {
      *json = std::move(pending_.front());
      pending_.pop_front();
      return true;
    }
    std::string line;
    if (document_mode_) {
      if (!document_lines_ || document_pos_ >= document_.size()) return false;
      size_t end = document_.find('\n', document_pos_);
      if (end == std::string::npos) end = document_.size();
      line = document_.substr(document_pos_, end - document_pos_);
      document_pos_ = end + 1;
      if (IsBlank(line)) continue;
      *json = std::move(line);
      return true;
    }
    if (!ReadLine(&line)) return false;
    if (IsBlank(line)) continue;
    element doc;
    const bool parsed = !parser_.parse(line).get(doc);
    if (!started_) {
      started_ = true;
      if (!parsed || doc.type() != element_type::OBJECT) {
        StartDocumentMode(std::move(line));
        continue;
      }
    }
    if (parsed && doc.type() == element_type::OBJECT) {
      simdjson::dom::array items;
      std::string_view kind;
      if (!doc["kind"].get(kind) && kind == "EventList" && !doc["items"].get(items)) {
        Expand(doc);
        continue;
      }
    }
    *json = std::move(line);  // As read: valid events keep their bytes; malformed ones go to the server as is.
    return true;
  }
}

}  // namespace detect::client
