// The commands of detectctl as data: name, arguments, summary, the flags each one reads, its --format values
// and examples. `detectctl help`, per-command -h/--help, flag checking and dispatch all read this table, so
// adding a command is one entry in command_table.cc (plus its Run function in commands.h).
#ifndef DETECT_CLIENT_COMMAND_TABLE_H_
#define DETECT_CLIENT_COMMAND_TABLE_H_

#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "client/commands.h"

namespace detect::client {

struct Command {
  std::string name;                  // "eval"
  std::string usage;                 // What follows the name: "--rules PATH [flags] FILE|-"
  std::string summary;               // One line, for the command list.
  std::string details;               // Paragraph for `detectctl help NAME`; may be empty.
  std::vector<std::string> flags;    // Every flag the command reads (others are rejected).
  std::vector<std::string> formats;  // Values of --format, the first being the default; empty: no --format.
  std::vector<std::string> examples;
  bool online = false;               // Talks to detectd (listed under "Online commands").
  int (*run)(const Args&) = nullptr;
};

// Every command of this build (the online ones only with DETECT_WITH_GRPC), in help order.
const std::vector<Command>& Commands();
// The command called `name`, or null.
const Command* FindCommand(absl::string_view name);
// The names of all commands, and of every flag some command reads (for "did you mean").
std::vector<std::string> CommandNames();
std::vector<std::string> AllCommandFlags();

// `detectctl help`: the command list.
std::string GeneralHelp();
// `detectctl help NAME` / `detectctl NAME --help`: usage, details, that command's flags only, examples.
std::string CommandHelp(const Command& command);

// Checks the flag arguments of `args` (the whole command line after the program name) against `command`:
// "" if all are flags the command reads, else a message naming the first that is not (and which commands
// do read it).
std::string CheckCommandFlags(const Command& command, const std::vector<std::string>& args);
// "" if --format's value is one of the command's formats, else a message listing them.
std::string CheckFormat(const Command& command, absl::string_view format);

}  // namespace detect::client

#endif  // DETECT_CLIENT_COMMAND_TABLE_H_
