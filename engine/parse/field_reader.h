// FieldReader: reads the scalar and list fields of one YAML mapping of a rule file (strings, booleans,
// integers, string lists), reporting each wrong shape as an issue at its file:line:col and remembering whether
// any error was reported.
#ifndef DETECT_ENGINE_PARSE_FIELD_READER_H_
#define DETECT_ENGINE_PARSE_FIELD_READER_H_

#include <string>
#include <vector>

#include "engine/source_location.h"
#include "yaml-cpp/yaml.h"

namespace detect::engine_internal {

// Borrows the file name and the issue list (both must outlive it). Thread-compatible; one per file.
class FieldReader {
 public:
  FieldReader(const std::string& file_name, std::vector<RuleIssue>* issues) : file_(file_name), issues_(issues) {}

  // Reports `message` at `node`; an error (not a warning) makes ok() false.
  void Issue(const YAML::Node& node, std::string message, RuleIssue::Severity severity = RuleIssue::Severity::kError);
  bool ok() const { return ok_; }
  // Marks the file failed for an error reported elsewhere (by the detection parser).
  void Fail() { ok_ = false; }

  // Each reads root[key] into *out when present and well-shaped; a missing key is an issue only when required.
  bool String(const YAML::Node& root, const char* key, std::string* out, bool required = false);
  void Bool(const YAML::Node& root, const char* key, bool* out);
  void Int(const YAML::Node& root, const char* key, int min, int* out);
  void StringList(const YAML::Node& root, const char* key, std::vector<std::string>* out);

 private:
  const std::string& file_;
  std::vector<RuleIssue>* issues_;
  bool ok_ = true;
};

}  // namespace detect::engine_internal

#endif  // DETECT_ENGINE_PARSE_FIELD_READER_H_
