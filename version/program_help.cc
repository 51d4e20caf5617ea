// Help, version and flag-spelling helpers on top of abseil's flag registry.
#include "version/program_help.h"

#include <algorithm>
#include <cstdio>

#include "absl/flags/reflection.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "version/version.h"

namespace detect::version {
namespace {

constexpr size_t kWrap = 100;

// Appends `text` wrapped at kWrap columns, each line indented by `indent` spaces.
void AppendWrapped(absl::string_view text, size_t indent, std::string& out) {
  size_t column = 0;
  for (absl::string_view word : absl::StrSplit(text, ' ', absl::SkipEmpty())) {
    if (column > 0 && column + 1 + word.size() > kWrap) {
      out += "\n";
      column = 0;
    }
    if (column == 0) {
      out.append(indent, ' ');
      column = indent;
    } else {
      out += " ";
      ++column;
    }
    absl::StrAppend(&out, word);
    column += word.size();
  }
  out += "\n";
}

bool IsAbseilFlag(const absl::CommandLineFlag& flag) {
  return absl::StrContains(flag.Filename(), "absl/");
}

}  // namespace

size_t EditDistance(absl::string_view a, absl::string_view b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diagonal = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      const size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

std::string Nearest(absl::string_view word, const std::vector<std::string>& candidates) {
  const size_t limit = std::max<size_t>(2, word.size() / 3);
  std::string best;
  size_t best_distance = limit + 1;
  for (const std::string& c : candidates) {
    size_t d = EditDistance(absl::AsciiStrToLower(word), absl::AsciiStrToLower(c));
    if (d > limit && word.size() >= 3 && absl::StartsWith(c, word)) d = limit;  // "conc" -> "concurrency"
    if (d < best_distance) {
      best_distance = d;
      best = c;
    }
  }
  return best;
}

std::optional<FlagArg> ParseFlagArg(absl::string_view arg) {
  if (arg.size() < 2 || arg[0] != '-' || arg == "--") return std::nullopt;
  arg.remove_prefix(arg[1] == '-' ? 2 : 1);
  FlagArg f;
  const size_t eq = arg.find('=');
  f.has_value = eq != absl::string_view::npos;
  f.name = std::string(arg.substr(0, eq));
  return f;
}

const absl::CommandLineFlag* FindFlag(absl::string_view name) {
  if (const absl::CommandLineFlag* f = absl::FindCommandLineFlag(name)) return f;
  if (absl::StartsWith(name, "no")) {
    const absl::CommandLineFlag* f = absl::FindCommandLineFlag(name.substr(2));
    if (f != nullptr && f->IsOfType<bool>()) return f;
  }
  return nullptr;
}

void AcceptDashes(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    char* arg = argv[i];
    if (std::string_view(arg) == "--") return;
    if (arg[0] != '-' || arg[1] == '\0') continue;
    char* p = arg + (arg[1] == '-' ? 2 : 1);
    for (; *p != '\0' && *p != '='; ++p) {
      if (*p == '-') *p = '_';
    }
  }
}

std::vector<std::string> ProgramFlagNames() {
  std::vector<std::string> names;
  for (const auto& [name, flag] : absl::GetAllFlags()) {
    if (!IsAbseilFlag(*flag)) names.emplace_back(name);
  }
  std::sort(names.begin(), names.end());
  return names;
}

std::string FormatFlagHelp(const std::vector<std::string>& names,
                           const std::function<std::string(absl::string_view)>& help_override) {
  std::string out;
  for (const std::string& name : names) {
    const absl::CommandLineFlag* flag = absl::FindCommandLineFlag(name);
    if (flag == nullptr) continue;
    const std::string def = flag->DefaultValue();
    absl::StrAppend(&out, "  --", name);
    if (!def.empty()) absl::StrAppend(&out, " (default: ", def, ")");
    out += "\n";
    std::string help = help_override ? help_override(name) : "";
    if (help.empty()) help = flag->Help();
    AppendWrapped(help, 6, out);
  }
  return out;
}

std::string CheckFlagsKnown(const std::vector<std::string>& args, const std::vector<std::string>& suggestions) {
  for (const std::string& arg : args) {
    if (arg == "--") break;
    std::optional<FlagArg> f = ParseFlagArg(arg);
    if (!f || FindFlag(f->name) != nullptr) continue;
    std::string msg = absl::StrCat("unknown flag --", f->name);
    const std::string near = Nearest(f->name, suggestions);
    if (!near.empty()) absl::StrAppend(&msg, " (did you mean --", near, "?)");
    return msg;
  }
  return "";
}

std::optional<int> HandleStandardFlags(absl::string_view program, absl::string_view usage, int argc, char** argv) {
  AcceptDashes(argc, argv);
  std::vector<std::string> args(argv + 1, argv + argc);
  for (const std::string& arg : args) {
    if (arg == "--") break;
    if (arg == "-h" || arg == "--help" || arg == "-help" || arg == "--helpfull" || arg == "--helpshort") {
      const std::string out = absl::StrCat(usage, "\n\nFlags:\n", FormatFlagHelp(ProgramFlagNames()), "\n",
                                           VersionLine(program), "\n");
      std::fwrite(out.data(), 1, out.size(), stdout);
      return 0;
    }
    if (arg == "--version" || arg == "-version") {
      std::printf("%s\n", VersionLine(program).c_str());
      return 0;
    }
  }
  const std::string unknown = CheckFlagsKnown(args, ProgramFlagNames());
  if (!unknown.empty()) {
    std::fprintf(stderr, "%.*s: %s; see %.*s --help\n", static_cast<int>(program.size()), program.data(),
                 unknown.c_str(), static_cast<int>(program.size()), program.data());
    return 2;
  }
  return std::nullopt;
}

}  // namespace detect::version
