// detectctl: the command-line tool of detectd. Offline it tests and evaluates rules with the engine; online it
// talks to a running detectd over gRPC. This file dispatches: the commands and their flags are the table in
// client/command_table.cc.
#include <cstdio>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "client/command_table.h"
#include "client/commands.h"
#include "client/flags.h"
#include "version/program_help.h"
#include "version/version.h"

namespace {

using detect::client::Command;

bool IsHelpFlag(const std::string& arg) {
  return arg == "-h" || arg == "--help" || arg == "-help" || arg == "--helpfull" || arg == "--helpshort";
}

void Print(const std::string& text, FILE* out = stdout) { std::fwrite(text.data(), 1, text.size(), out); }

// "detectctl: unknown command "evl" (did you mean "eval"?)".
int UnknownCommand(const std::string& name) {
  std::string msg = "detectctl: unknown command \"" + name + "\"";
  const std::string near = detect::version::Nearest(name, detect::client::CommandNames());
  if (!near.empty()) msg += " (did you mean \"" + near + "\"?)";
  Print(msg + "; run `detectctl help` for the list\n", stderr);
  return 2;
}

// Positions in args of the positional arguments (flag values given as a separate argument skipped).
std::vector<size_t> Positionals(const std::vector<std::string>& args) {
  std::vector<size_t> out;
  for (size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "--") {
      for (++i; i < args.size(); ++i) out.push_back(i);
      break;
    }
    std::optional<detect::version::FlagArg> f = detect::version::ParseFlagArg(args[i]);
    if (!f) {
      out.push_back(i);
      continue;
    }
    const absl::CommandLineFlag* flag = detect::version::FindFlag(f->name);
    if (flag != nullptr && !f->has_value && !flag->IsOfType<bool>() && f->name == flag->Name()) ++i;
  }
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage("detectctl COMMAND [flags] [args]; run `detectctl help`");
  detect::version::AcceptDashes(argc, argv);
  const std::vector<std::string> args(argv + 1, argv + argc);
  bool help = false;
  for (const std::string& arg : args) {
    if (arg == "--") break;
    if (arg == "--version" || arg == "-version") {
      Print(detect::version::VersionLine("detectctl") + "\n");
      return 0;
    }
    help = help || IsHelpFlag(arg);
  }
  const std::vector<size_t> positional = Positionals(args);
  if (positional.empty()) {
    Print(detect::client::GeneralHelp(), help ? stdout : stderr);
    return help ? 0 : 2;
  }
  const std::string name = args[positional[0]];
  if (name == "help") {
    if (positional.size() < 2) {
      Print(detect::client::GeneralHelp());
      return 0;
    }
    const Command* topic = detect::client::FindCommand(args[positional[1]]);
    if (topic == nullptr) return UnknownCommand(args[positional[1]]);
    Print(detect::client::CommandHelp(*topic));
    return 0;
  }
  const Command* command = detect::client::FindCommand(name);
  if (command == nullptr) return UnknownCommand(name);
  if (help) {
    Print(detect::client::CommandHelp(*command));
    return 0;
  }
  std::string problem = detect::version::CheckFlagsKnown(args, detect::client::AllCommandFlags());
  if (problem.empty()) problem = detect::client::CheckCommandFlags(*command, args);
  if (!problem.empty()) {
    Print("detectctl " + name + ": " + problem + "; run `detectctl help " + name + "`\n", stderr);
    return 2;
  }
  std::vector<char*> rest = absl::ParseCommandLine(argc, argv);
  if (const std::string bad = detect::client::CheckFormat(*command, absl::GetFlag(FLAGS_format)); !bad.empty()) {
    Print("detectctl " + name + ": " + bad + "\n", stderr);
    return 2;
  }
  // rest = {program, command, args...}: the command is the first positional argument.
  detect::client::Args command_args(rest.begin() + 2, rest.end());
  return command->run(command_args);
}
