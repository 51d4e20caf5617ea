// Flag files (common/read_file.h).
#include "common/read_file.h"

#include <fstream>
#include <sstream>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"

namespace detect {

absl::StatusOr<std::string> ReadFlagFile(const std::string& path, absl::string_view what) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::InvalidArgumentError(absl::StrCat("cannot read ", what, " '", path, "'"));
  std::ostringstream content;
  content << in.rdbuf();
  return content.str();
}

absl::StatusOr<std::string> ReadSecretFile(const std::string& path, absl::string_view what) {
  absl::StatusOr<std::string> content = ReadFlagFile(path, what);
  if (!content.ok()) return content.status();
  std::string secret(absl::StripAsciiWhitespace(*content));
  if (secret.empty()) return absl::InvalidArgumentError(absl::StrCat(what, " '", path, "' is empty"));
  return secret;
}

}  // namespace detect
