// Command-line conveniences shared by detectd and detectctl on top of abseil flags: readable --help (the
// program's own flags, no abseil internals or source paths), --version, dashes accepted in flag names
// (--batch-size), and "did you mean" for misspelt flags and commands.
#ifndef DETECT_VERSION_PROGRAM_HELP_H_
#define DETECT_VERSION_PROGRAM_HELP_H_

#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "absl/flags/commandlineflag.h"
#include "absl/strings/string_view.h"

namespace detect::version {

// Levenshtein distance (insertions, deletions, substitutions), on bytes.
size_t EditDistance(absl::string_view a, absl::string_view b);

// The candidate closest to `word`, if close enough to be a likely typo (distance at most max(2, |word|/3), or
// a candidate that starts with `word`); "" otherwise. Ties go to the earlier candidate.
std::string Nearest(absl::string_view word, const std::vector<std::string>& candidates);

// A command-line argument that names a flag: "--name", "-name", "--name=value".
struct FlagArg {
  std::string name;        // As written, without dashes and value ("batch_size", "nostrict").
  bool has_value = false;  // "=value" was attached.
};
// Nullopt for positional arguments, "-" (stdin) and "--" (end of flags).
std::optional<FlagArg> ParseFlagArg(absl::string_view arg);

// The registered flag `name` names, also as "noNAME" for a boolean flag; null if none.
const absl::CommandLineFlag* FindFlag(absl::string_view name);

// Rewrites dashes in flag names to underscores in place ("--batch-size=1" -> "--batch_size=1"; values are
// untouched), for every argument before "--", so both spellings work with abseil.
void AcceptDashes(int argc, char** argv);

// The flags the program defines itself (not abseil's --flagfile, --helpfull, ...), sorted by name.
std::vector<std::string> ProgramFlagNames();

// For each flag: "  --name (default: value)\n      help text\n", help wrapped at 100 columns. Unknown names
// are skipped. `help_override(name)` may return a replacement help text ("" keeps the flag's own).
std::string FormatFlagHelp(const std::vector<std::string>& names,
                           const std::function<std::string(absl::string_view)>& help_override = nullptr);

// Checks every flag argument (before "--") against the registry. InvalidArgument-like message on the first
// unknown one: `unknown flag --lisen (did you mean --listen?)`; "" when all are known.
std::string CheckFlagsKnown(const std::vector<std::string>& args, const std::vector<std::string>& suggestions);

// For a program without subcommands (detectd), before absl::ParseCommandLine: accepts dashes; prints usage and
// the program's flags for --help, -h, --helpfull (exit 0); the version for --version (exit 0); an unknown flag
// with a suggestion (exit 2). Nullopt: go on parsing.
std::optional<int> HandleStandardFlags(absl::string_view program, absl::string_view usage, int argc, char** argv);

}  // namespace detect::version

#endif  // DETECT_VERSION_PROGRAM_HELP_H_
