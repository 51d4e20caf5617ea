// Reading audit events for detectctl eval, evaluate and stream: one reader, so that the offline and online
// commands read every input the same way. Shapes, detected from the content (not the file name):
//   - NDJSON: one JSON object per line, blank lines skipped; a line may also be a whole EventList (expanded);
//   - one JSON document: a Kubernetes audit.k8s.io EventList ({"kind": "EventList", "items": [...]}), a JSON
//     array of events, or a single (pretty-printed) event.
// Sources: a file, "-" (stdin), or a path that is a pipe (/dev/fd/63 from `<(zcat x.gz)`): read front to back,
// never seeked. An input that is neither NDJSON nor a JSON document, or that fails to read, is an error (never
// "0 events"). Events keep input order; an event's position is 1-based (the non-blank line number in NDJSON,
// the item index in a document).
#ifndef DETECT_CLIENT_EVENT_READER_H_
#define DETECT_CLIENT_EVENT_READER_H_

#include <cstdio>
#include <deque>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "simdjson.h"

namespace detect::client {

enum class InputShape { kEmpty, kNdjson, kEventList, kArray, kObject };
// "empty", "NDJSON", "EventList", "array", "object" (one word: it goes into key=value summaries).
absl::string_view InputShapeName(InputShape shape);

// Streams events one by one (evaluate, stream: `tail -f | detectctl stream -` works for NDJSON); a document is
// read whole. Thread-compatible.
class EventReader {
 public:
  // "-" reads stdin. NotFound / PermissionDenied with the system's words ("No such file or directory").
  static absl::StatusOr<std::unique_ptr<EventReader>> Open(const std::string& name);
  ~EventReader();
  EventReader(const EventReader&) = delete;
  EventReader& operator=(const EventReader&) = delete;

  // The next event's JSON text; false at the end of the input, or on an error (then status() is not OK). An
  // NDJSON line that is not valid JSON is returned as it is (evaluating it reports the error at its position).
  bool Next(std::string* json);
  // Not OK when the input could not be read or is neither NDJSON nor one JSON document.
  const absl::Status& status() const { return status_; }
  // Known after the first Next().
  InputShape shape() const { return shape_; }

 private:
  EventReader(std::string name, FILE* file, bool owned) : name_(std::move(name)), file_(file), owned_(owned) {}
  bool ReadLine(std::string* line);
  void Start(std::string first_line);

  const std::string name_;
  FILE* file_;
  const bool owned_;
  bool started_ = false;
  InputShape shape_ = InputShape::kEmpty;
  absl::Status status_;
  std::deque<std::string> pending_;       // Expanded events not yet returned.
  std::vector<std::string> held_lines_;   // NDJSON after a bad first line: lines read while deciding.
  size_t held_next_ = 0;
  simdjson::dom::parser parser_;
  char* line_buf_ = nullptr;
  size_t line_cap_ = 0;
};

// Every event of an input at once, for evaluation on several threads (eval): NDJSON lines are views into the
// text read, events of a document are minified copies; either way SIMDJSON_PADDING readable bytes follow each
// view, so they parse in place.
struct EventBatch {
  InputShape shape = InputShape::kEmpty;
  std::vector<absl::string_view> events;
  simdjson::padded_string data;      // The input as read.
  simdjson::padded_string expanded;  // Events taken out of EventLists and arrays, newline-separated.
};
// Same shapes, sources and errors as EventReader.
absl::StatusOr<std::unique_ptr<EventBatch>> ReadAllEvents(const std::string& name);

}  // namespace detect::client

#endif  // DETECT_CLIENT_EVENT_READER_H_
