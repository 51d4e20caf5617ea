// `detectctl describe` and `detectctl coverage`: rule analysis (issue 4). Not built yet: the commands say so.
#include <cstdio>

#include "client/commands.h"

namespace detect::client {

int RunDescribe(const Args&) {
  std::fprintf(stderr, "detectctl describe: not available in this build yet\n");
  return 2;
}

int RunCoverage(const Args&) {
  std::fprintf(stderr, "detectctl coverage: not available in this build yet\n");
  return 2;
}

}  // namespace detect::client
