// Temporary directories and rule files for server and integration tests.
#ifndef DETECT_TESTS_SERVER_TEST_FILES_H_
#define DETECT_TESTS_SERVER_TEST_FILES_H_

#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"

namespace detect::test_support {

// A fresh directory under the test temp dir, removed with everything in it at destruction.
class TempDir {
 public:
  TempDir() {
    std::string tmpl = ::testing::TempDir() + "detect_XXXXXX";
    path_ = ::mkdtemp(tmpl.data()) != nullptr ? tmpl : std::string();
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::string& path() const { return path_; }
  std::string Sub(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

// Writes `text` to `path` atomically (write, then rename), as editors and the kubelet do.
inline void WriteFile(const std::string& path, const std::string& text) {
  const std::string tmp = path + ".tmp~";
  { std::ofstream(tmp, std::ios::trunc) << text; }
  std::filesystem::rename(tmp, path);
}

// A Panther simple-detection rule: matches events whose `key` equals `value`.
inline std::string SimpleRule(const std::string& id, const std::string& key, const std::string& value,
                              const std::string& severity = "High") {
  return absl::StrCat("AnalysisType: rule\nRuleID: ", id, "\nDisplayName: Rule ", id,
                      "\nEnabled: true\nLogTypes: [Amazon.EKS.Audit]\nSeverity: ", severity,
                      "\nDedupPeriodMinutes: 30\nTags: [Test]\nReports:\n  MITRE ATT&CK:\n    - TA0002:T1609\n"
                      "Detection:\n  - Key: ", key, "\n    Condition: Equals\n    Value: ", value, "\n");
}

// The repository root (tests run there; DETECT_SOURCE_DIR is set by detect_add_test as well).
inline std::string SourceDir() {
  const char* dir = std::getenv("DETECT_SOURCE_DIR");
  return dir != nullptr ? dir : ".";
}

// A file's bytes; "" when it cannot be read (a comparison with it then fails; the test names the path).
inline std::string ReadWholeFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// The non-empty lines of a text file (NDJSON events: one a line).
inline std::vector<std::string> ReadLines(const std::string& path) {
  std::ifstream in(path);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) {
    if (!line.empty()) lines.push_back(line);
  }
  return lines;
}

// The four seed events (tests/testdata/seed_events.ndjson; tests run in the repository root).
inline std::vector<std::string> SeedEvents() { return ReadLines("tests/testdata/seed_events.ndjson"); }

}  // namespace detect::test_support

#endif  // DETECT_TESTS_SERVER_TEST_FILES_H_
