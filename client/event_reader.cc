// Input shape detection and iteration for detectctl's event inputs (see event_reader.h).
#include "client/event_reader.h"

#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"

namespace detect::client {
namespace {

using simdjson::dom::element;
using simdjson::dom::element_type;

bool IsBlank(absl::string_view s) { return absl::StripAsciiWhitespace(s).empty(); }

absl::string_view TrimLineEnd(absl::string_view line) {
  while (!line.empty() && (line.back() == '\r' || line.back() == '\n')) line.remove_suffix(1);
  return line;
}

absl::Status ReadError(const std::string& name, int error) {
  const std::string msg = absl::StrCat("cannot read ", name, ": ", std::strerror(error));
  return error == ENOENT ? absl::NotFoundError(msg)
         : error == EACCES ? absl::PermissionDeniedError(msg)
                           : absl::UnavailableError(msg);
}

// An EventList's items: an object with an "items" array whose "kind", if any, is EventList.
bool EventListItems(element doc, simdjson::dom::array* items) {
  if (doc.type() != element_type::OBJECT || doc["items"].get(*items)) return false;
  std::string_view kind;
  return doc["kind"].get(kind) != simdjson::SUCCESS || kind == "EventList";
}

// Calls emit(minified JSON) for each event of a document; false (emitting nothing) for a scalar.
template <typename Emit>
bool ExpandDocument(element doc, InputShape* shape, Emit emit) {
  simdjson::dom::array items;
  if (doc.type() == element_type::ARRAY) {
    *shape = InputShape::kArray;
    const simdjson::dom::array array = doc.get_array().value_unsafe();
    for (element e : array) emit(simdjson::minify(e));
    return true;
  }
  if (EventListItems(doc, &items)) {
    *shape = InputShape::kEventList;
    for (element e : items) emit(simdjson::minify(e));
    return true;
  }
  if (doc.type() == element_type::OBJECT) {
    *shape = InputShape::kObject;
    emit(simdjson::minify(doc));
    return true;
  }
  return false;
}

// An NDJSON line that is a whole EventList (cheap substring test first: most lines are plain events).
bool IsEventListLine(simdjson::dom::parser& parser, absl::string_view line, element* doc) {
  if (line.find("EventList") == absl::string_view::npos) return false;
  simdjson::dom::array items;
  std::string_view kind;
  return !parser.parse(line.data(), line.size()).get(*doc) && doc->type() == element_type::OBJECT &&
         !(*doc)["kind"].get(kind) && kind == "EventList" && !(*doc)["items"].get(items);
}

bool IsJsonObject(simdjson::dom::parser& parser, absl::string_view line) {
  element doc;
  return !parser.parse(line.data(), line.size()).get(doc) && doc.type() == element_type::OBJECT;
}

// The error for text that is neither NDJSON nor a JSON document.
absl::Status NotEventsError(const std::string& name, simdjson::error_code doc_error) {
  return absl::InvalidArgumentError(
      absl::StrCat(name, " is neither NDJSON (one JSON object per line) nor one JSON document (an EventList, an "
                         "array of events or one event): ",
                   simdjson::error_message(doc_error)));
}

}  // namespace

absl::string_view InputShapeName(InputShape shape) {
  switch (shape) {
    case InputShape::kEmpty: return "empty";
    case InputShape::kNdjson: return "NDJSON";
    case InputShape::kEventList: return "EventList";
    case InputShape::kArray: return "array";
    case InputShape::kObject: return "object";
  }
  return "";
}

absl::StatusOr<std::unique_ptr<EventReader>> EventReader::Open(const std::string& name) {
  if (name == "-") return std::unique_ptr<EventReader>(new EventReader("stdin", stdin, false));
  FILE* f = std::fopen(name.c_str(), "rb");
  if (f == nullptr) return ReadError(name, errno);
  return std::unique_ptr<EventReader>(new EventReader(name, f, true));
}

EventReader::~EventReader() {
  if (owned_) std::fclose(file_);
  std::free(line_buf_);
}

bool EventReader::ReadLine(std::string* line) {
  errno = 0;
  const ssize_t n = ::getline(&line_buf_, &line_cap_, file_);
  if (n < 0) {
    if (std::ferror(file_) && status_.ok()) status_ = ReadError(name_, errno != 0 ? errno : EIO);
    return false;
  }
  const absl::string_view trimmed = TrimLineEnd(absl::string_view(line_buf_, static_cast<size_t>(n)));
  line->assign(trimmed.data(), trimmed.size());
  return true;
}

void EventReader::Start(std::string first) {
  element doc;
  if (IsJsonObject(parser_, first)) {  // NDJSON (the first line may itself be an EventList).
    shape_ = InputShape::kNdjson;
    if (IsEventListLine(parser_, first, &doc)) {
      ExpandDocument(doc, &shape_, [this](std::string e) { pending_.push_back(std::move(e)); });
    } else {
      pending_.push_back(std::move(first));
    }
    return;
  }
  // One document (pretty-printed, an array): read it whole.
  std::vector<std::string> lines = {std::move(first)};
  std::string document = lines[0] + "\n";
  for (std::string line; ReadLine(&line);) {
    absl::StrAppend(&document, line, "\n");
    lines.push_back(std::move(line));
  }
  if (!status_.ok()) return;
  const simdjson::error_code error = parser_.parse(document).get(doc);
  if (!error && ExpandDocument(doc, &shape_, [this](std::string e) { pending_.push_back(std::move(e)); })) return;
  // Not a document: NDJSON whose first line is bad, if any later line is an event; else not events at all.
  for (size_t i = 1; i < lines.size(); ++i) {
    if (IsJsonObject(parser_, lines[i])) {
      shape_ = InputShape::kNdjson;
      for (std::string& l : lines) {
        if (!IsBlank(l)) held_lines_.push_back(std::move(l));
      }
      return;
    }
  }
  status_ = NotEventsError(name_, error ? error : simdjson::INCORRECT_TYPE);
}

bool EventReader::Next(std::string* json) {
  for (;;) {
    if (!status_.ok()) return false;
    if (!pending_.empty()) {
      *json = std::move(pending_.front());
      pending_.pop_front();
      return true;
    }
    if (held_next_ < held_lines_.size()) {
      *json = std::move(held_lines_[held_next_++]);
      return true;
    }
    if (started_ && shape_ != InputShape::kNdjson) return false;  // A document is read whole.
    std::string line;
    if (!ReadLine(&line)) return false;
    if (IsBlank(line)) continue;
    if (!started_) {
      started_ = true;
      Start(std::move(line));
      continue;
    }
    element doc;
    if (IsEventListLine(parser_, line, &doc)) {
      InputShape ignored;
      ExpandDocument(doc, &ignored, [this](std::string e) { pending_.push_back(std::move(e)); });
      continue;
    }
    *json = std::move(line);  // As read: valid events keep their bytes; malformed ones are reported by position.
    return true;
  }
}

absl::StatusOr<std::unique_ptr<EventBatch>> ReadAllEvents(const std::string& name) {
  FILE* f = name == "-" ? stdin : std::fopen(name.c_str(), "rb");
  const std::string shown = name == "-" ? "stdin" : name;
  if (f == nullptr) return ReadError(shown, errno);
  std::string text;
  char buf[1 << 16];
  for (size_t n; (n = std::fread(buf, 1, sizeof(buf), f)) > 0;) text.append(buf, n);
  const int error = std::ferror(f) ? (errno != 0 ? errno : EIO) : 0;
  if (f != stdin) std::fclose(f);
  if (error != 0) return ReadError(shown, error);

  auto batch = std::make_unique<EventBatch>();
  batch->data = simdjson::padded_string(text);
  text.clear();
  text.shrink_to_fit();
  const absl::string_view data(batch->data.data(), batch->data.size());
  simdjson::dom::parser parser;

  // Events of EventLists and arrays go to `expanded`; (offset, length) until it is padded, then views.
  struct Ref {
    bool expanded;
    size_t offset, length;
  };
  std::vector<Ref> refs;
  std::string expanded;
  auto emit = [&](std::string e) {
    refs.push_back({true, expanded.size(), e.size()});
    absl::StrAppend(&expanded, e, "\n");
  };
  std::vector<absl::string_view> lines;  // Non-blank lines.
  for (size_t pos = 0; pos < data.size();) {
    size_t end = data.find('\n', pos);
    if (end == absl::string_view::npos) end = data.size();
    absl::string_view line = TrimLineEnd(data.substr(pos, end - pos));
    if (!IsBlank(line)) lines.push_back(line);
    pos = end + 1;
  }
  // parse(data, size) copies a line into the parser's padded buffer (realloc_if_needed); the views handed to
  // the evaluator are padded by the rest of the buffer.
  bool ndjson = lines.empty() || IsJsonObject(parser, lines[0]);
  element doc;
  simdjson::error_code doc_error = simdjson::SUCCESS;
  if (!ndjson) {
    doc_error = parser.parse(batch->data).get(doc);
    if (!doc_error && ExpandDocument(doc, &batch->shape, emit)) {
      lines.clear();
    } else {
      ndjson = false;
      for (size_t i = 1; i < lines.size() && !ndjson; ++i) ndjson = IsJsonObject(parser, lines[i]);
      if (!ndjson) return NotEventsError(shown, doc_error ? doc_error : simdjson::INCORRECT_TYPE);
    }
  }
  if (ndjson && !lines.empty()) {
    batch->shape = InputShape::kNdjson;
    for (size_t i = 0; i < lines.size(); ++i) {
      const absl::string_view line = lines[i];
      if (IsEventListLine(parser, line, &doc)) {
        InputShape shape;  // The first line's shape names the input, as EventReader does.
        ExpandDocument(doc, &shape, emit);
        if (i == 0) batch->shape = shape;
        continue;
      }
      refs.push_back({false, static_cast<size_t>(line.data() - data.data()), line.size()});
    }
  }
  batch->expanded = simdjson::padded_string(expanded);
  batch->events.reserve(refs.size());
  for (const Ref& r : refs) {
    const char* base = r.expanded ? batch->expanded.data() : batch->data.data();
    batch->events.emplace_back(base + r.offset, r.length);
  }
  return batch;
}

}  // namespace detect::client
