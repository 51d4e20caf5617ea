// Reading a whole small file named on the command line (certificates, keys, shared secrets) into a string: the
// one reader of detectd's and detectctl's flag files, with one wording for its errors.
#ifndef DETECT_COMMON_READ_FILE_H_
#define DETECT_COMMON_READ_FILE_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace detect {

// The content of the file at `path`. `what` names it in the error (a flag such as "--tls_cert"):
// InvalidArgument "cannot read <what> '<path>'" when it cannot be opened or read.
absl::StatusOr<std::string> ReadFlagFile(const std::string& path, absl::string_view what);

// A secret or token in a file: its content without leading and trailing ASCII whitespace (a final newline is
// not part of the secret). As ReadFlagFile, and InvalidArgument "<what> '<path>' is empty" when nothing is left.
absl::StatusOr<std::string> ReadSecretFile(const std::string& path, absl::string_view what);

}  // namespace detect

#endif  // DETECT_COMMON_READ_FILE_H_
