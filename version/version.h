// The version of this build of detectd and detectctl: the CMake project version and `git describe` of the
// source tree at build time ("unknown" outside a git checkout, unless DETECT_GIT_DESCRIBE was set).
#ifndef DETECT_VERSION_VERSION_H_
#define DETECT_VERSION_VERSION_H_

#include <string>

#include "absl/strings/string_view.h"

namespace detect::version {

// "0.1.0", from project(... VERSION) in CMakeLists.txt.
absl::string_view ProjectVersion();
// `git describe --tags --always --dirty` at build time, e.g. "v0.1.0-12-gabc1234" or "abc1234-dirty";
// "unknown" when the build had neither a git checkout nor DETECT_GIT_DESCRIBE.
absl::string_view GitDescribe();
// "detectctl 0.1.0 (git abc1234)": what --version prints.
std::string VersionLine(absl::string_view program);

}  // namespace detect::version

#endif  // DETECT_VERSION_VERSION_H_
