// Runs a program of this build (detectctl, detectd) through /bin/sh and captures its exit code, stdout and
// stderr, for tests of what users see (tests/client/cli_test.cc, tests/integration/detectctl_test.cc).
#ifndef DETECT_TESTS_TESTING_RUN_BINARY_H_
#define DETECT_TESTS_TESTING_RUN_BINARY_H_

#include <sys/wait.h>

#include <cstdio>
#include <fstream>
#include <iterator>
#include <string>

#include "tests/testing/test_files.h"

namespace detect::test_support {

struct Output {
  int exit_code = -1;
  std::string out;
  std::string err;
};

// `command` is a shell command line; stderr is captured through a temp file.
inline Output RunShell(const std::string& command) {
  TempDir dir;
  const std::string err_file = dir.Sub("stderr");
  Output o;
  FILE* p = ::popen((command + " 2>" + err_file).c_str(), "r");
  if (p == nullptr) return o;
  char buf[4096];
  for (size_t n; (n = std::fread(buf, 1, sizeof(buf), p)) > 0;) o.out.append(buf, n);
  const int status = ::pclose(p);
  o.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  std::ifstream in(err_file);
  o.err.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  return o;
}

inline std::ostream& operator<<(std::ostream& os, const Output& o) {
  return os << "exit " << o.exit_code << "\n--- stdout\n" << o.out << "\n--- stderr\n" << o.err;
}

}  // namespace detect::test_support

#endif  // DETECT_TESTS_TESTING_RUN_BINARY_H_
