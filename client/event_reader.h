// Reading audit events for the online detectctl subcommands: NDJSON (one JSON object per line, blank lines
// skipped), where a line may also be a whole Kubernetes EventList, or one JSON document (an EventList, a JSON
// array of events, or a single pretty-printed event). Events come out as compact JSON text, in order.
#ifndef DETECT_CLIENT_EVENT_READER_H_
#define DETECT_CLIENT_EVENT_READER_H_

#include <cstdio>
#include <deque>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "simdjson.h"

namespace detect::client {

// Thread-compatible. Streams NDJSON line by line (so `tail -f | detectctl stream -` works); a multi-line
// document is read whole.
class EventReader {
 public:
  // "-" reads stdin.
  static absl::StatusOr<std::unique_ptr<EventReader>> Open(const std::string& name);
  ~EventReader();
  EventReader(const EventReader&) = delete;
  EventReader& operator=(const EventReader&) = delete;

  // The next event's JSON text; false at the end of the input. A line that is not valid JSON is returned
  // as it is (the server reports it as that event's error), so positions stay aligned with the input.
  bool Next(std::string* json);

 private:
  explicit EventReader(FILE* file, bool owned) : file_(file), owned_(owned) {}
  bool ReadLine(std::string* line);
  void Expand(simdjson::dom::element doc);  // EventList items / array elements / one event -> pending_.
  void StartDocumentMode(std::string first);

  FILE* file_;
  bool owned_;
  bool started_ = false;
  bool document_mode_ = false;
  std::string document_;                 // Document mode: the whole input.
  size_t document_pos_ = 0;              // Document mode, after a parse failure: next line offset.
  bool document_lines_ = false;          // Document mode fell back to lines.
  std::deque<std::string> pending_;
  simdjson::dom::parser parser_;
  char* line_buf_ = nullptr;
  size_t line_cap_ = 0;
};

}  // namespace detect::client

#endif  // DETECT_CLIENT_EVENT_READER_H_
