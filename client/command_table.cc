// The table of detectctl commands and the help text made from it.
#include "client/command_table.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "version/program_help.h"
#include "version/version.h"

namespace detect::client {
namespace {

// Flag groups.
const std::vector<std::string> kRuleLoading = {"rules", "log_type", "skip_invalid", "strict", "json_read"};
const std::vector<std::string> kConnection = {"server",   "tls",     "tls_ca", "tls_cert",
                                              "tls_key",  "tls_server_name"};

std::vector<std::string> Concat(std::initializer_list<std::vector<std::string>> parts) {
  std::vector<std::string> out;
  for (const auto& p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}

std::vector<Command> BuildTable() {
  std::vector<Command> t;
  t.push_back({"test", "[flags] PATH...", "run every rule's Tests; exit 1 on any failure",
               "Compiles the rules under each PATH (file or directory) and runs the Tests: of each rule, "
               "printing every failing test and a summary.",
               {"format", "strict", "json_read", "filter", "minimum_tests", "explain"},
               {"text", "json", "junit"},
               {"detectctl test rules/", "detectctl test --format junit rules/ > results.xml",
                "detectctl test --filter 'Kubernetes.Pod.*' --explain rules/",
                "detectctl test --minimum-tests 2 rules/   # every rule: 2 tests, one true and one false case"},
               false, RunTest});
  t.push_back({"eval", "--rules PATH [flags] FILE|-", "evaluate events in-process, one line per match (or alert)",
               "Reads NDJSON events (one per line), a Kubernetes EventList, a JSON array of events or one "
               "pretty-printed event from FILE, - (stdin) or a pipe, and prints every match. Exit 1 if an event "
               "or a rule failed.\n"
               "With --alerts, replays the matches in input order by EVENT time (p_event_time, else "
               "requestReceivedTimestamp, else stageTimestamp) through each rule's DedupPeriodMinutes and Threshold "
               "and prints the alerts the file would have produced, each once with its final match_count, in the "
               "alert JSON shape of docs/alerts.md (--format ndjson) or as a table. Matches of events without a "
               "time are counted on stderr and left out. Runs on one thread.",
               Concat({kRuleLoading, {"format", "fields", "threads", "alerts"}}),
               {"text", "ndjson"},
               {"detectctl eval --rules rules/ events.ndjson",
                "zcat audit.json.gz | detectctl eval --rules rules/ --format ndjson -",
                "detectctl eval --alerts --rules rules/ --format ndjson audit.ndjson   # how noisy is each rule?"},
               false, RunEval});
  t.push_back({"describe", "(--rules PATH | --server HOST:PORT) [flags] RULE_ID",
               "what a rule detects: MITRE ATT&CK, condition, exclusions, indicators",
               "With --rules, analyses the rule offline; without it, asks the detectd at --server "
               "(DescribeRule) about the rule it serves.",
               Concat({kRuleLoading, {"format"}, kConnection, {"timeout"}}),
               {"text", "json"},
               {"detectctl describe --rules rules/ Amazon.EKS.AnonymousAPIAccess",
                "detectctl describe --server localhost:50051 --format json Amazon.EKS.AnonymousAPIAccess"},
               false, RunDescribe});
  t.push_back({"explain", "--rules PATH [flags] RULE_ID FILE|-", "why a rule does or does not match an event",
               "Evaluates RULE_ID on each event of FILE (any input shape eval reads) node by node and prints the "
               "condition tree: each node's value, for comparisons the key read and the value found there, which "
               "exclusion fired, and one line saying what decided the result.",
               Concat({kRuleLoading, {"format"}}),
               {"text", "json"},
               {"detectctl explain --rules rules/ Amazon.EKS.AnonymousAPIAccess event.json",
                "detectctl explain --rules rules/ --format json Amazon.EKS.AnonymousAPIAccess event.json"},
               false, RunExplain});
  t.push_back({"coverage", "--rules PATH [flags]", "MITRE ATT&CK matrix of a rule set", "",
               Concat({kRuleLoading, {"format"}}),
               {"text", "json"},
               {"detectctl coverage --rules rules/"},
               false, RunCoverage});
#ifdef DETECT_WITH_GRPC
  t.push_back({"evaluate", "--server HOST:PORT [flags] FILE|-", "evaluate events on detectd (unary, in batches)",
               "Sends the events (same inputs as eval) in Evaluate calls of --batch_size events and prints "
               "what eval prints.",
               Concat({kConnection, {"timeout", "raw", "typed", "batch_size", "log_type", "format", "fields", "progress"}}),
               {"text", "ndjson"},
               {"detectctl evaluate --server localhost:50051 events.ndjson",
                "detectctl evaluate --server detectd:50051 --tls_ca ca.pem --format ndjson events.ndjson"},
               true, RunEvaluate});
  t.push_back({"stream", "--server HOST:PORT [flags] FILE|-", "evaluate events on detectd over one stream",
               "Like evaluate, over one StreamEvaluate stream (tail -f | detectctl stream - works).",
               Concat({kConnection, {"raw", "typed", "batch_size", "log_type", "format", "fields", "progress"}}),
               {"text", "ndjson"},
               {"detectctl stream --server localhost:50051 - < events.ndjson"},
               true, RunStream});
  t.push_back({"rules", "--server HOST:PORT [flags]", "list the rules detectd has loaded", "",
               Concat({kConnection, {"timeout", "log_type", "format"}}),
               {"text", "json"},
               {"detectctl rules --server localhost:50051"},
               true, RunRules});
  t.push_back({"alerts", "--server HOST:PORT [flags]", "follow detectd's alerts as they open and update",
               "Watches the alert log (WatchAlerts) until interrupted: with the memory store, this detectd's "
               "recent alerts; with the Redis store, every replica's. Without --since, only alerts from now on; "
               "--since 0, everything the log still holds; --since LOG_ID, the alerts after that one (each NDJSON "
               "line carries its log_id; a resumed watch misses nothing the log still holds and says so on stderr "
               "when the log no longer had them). NDJSON lines are the alert JSON of docs/alerts.md with log_id "
               "added. Exit 1 when the stream ends with an error (detectd shutting down: resume with --since).",
               Concat({kConnection, {"format", "since"}}),
               {"text", "ndjson"},
               {"detectctl alerts --server localhost:50051",
                "detectctl alerts --server localhost:50051 --since 0 --format ndjson | jq .title"},
               true, RunAlerts});
  t.push_back({"bench", "--server HOST:PORT [flags] FILE", "sustained load on detectd: throughput and latency",
               "Sends FILE's events in a loop for --duration seconds from --concurrency streams or unary "
               "callers and prints events/s, matches and latency percentiles.",
               Concat({kConnection, {"timeout", "raw", "typed", "batch_size", "log_type", "concurrency", "duration", "mode", "rate"}}),
               {},
               {"detectctl bench --server localhost:50051 --mode stream --concurrency 2 --duration 10 events.ndjson"},
               true, RunBench});
#endif
  t.push_back({"help", "[COMMAND]", "this list, or one command's flags and examples", "", {}, {},
               {"detectctl help eval", "detectctl eval --help"}, false, nullptr});
  return t;
}

std::string Pad(absl::string_view s, size_t width) {
  std::string out(s);
  if (out.size() < width) out.append(width - out.size(), ' ');
  return out;
}

}  // namespace

const std::vector<Command>& Commands() {
  static const std::vector<Command>* table = new std::vector<Command>(BuildTable());
  return *table;
}

const Command* FindCommand(absl::string_view name) {
  for (const Command& c : Commands()) {
    if (c.name == name) return &c;
  }
  return nullptr;
}

std::vector<std::string> CommandNames() {
  std::vector<std::string> names;
  for (const Command& c : Commands()) names.push_back(c.name);
  return names;
}

std::vector<std::string> AllCommandFlags() {
  std::vector<std::string> names;
  for (const Command& c : Commands()) names.insert(names.end(), c.flags.begin(), c.flags.end());
  std::sort(names.begin(), names.end());
  names.erase(std::unique(names.begin(), names.end()), names.end());
  return names;
}

std::string GeneralHelp() {
  std::string out =
      "detectctl: test, evaluate and inspect detection rules; talk to detectd.\n\n"
      "Usage: detectctl COMMAND [flags] [args]\n";
  for (bool online : {false, true}) {
    bool any = false;
    for (const Command& c : Commands()) {
      if (c.online != online) continue;
      if (!any) out += online ? "\nOnline commands (detectd at --server):\n" : "\nCommands (no server needed):\n";
      any = true;
      absl::StrAppend(&out, "  ", Pad(c.name, 10), c.summary, "\n");
    }
  }
  absl::StrAppend(&out,
                  "\nRun `detectctl help COMMAND` (or `detectctl COMMAND --help`) for a command's flags and examples."
                  "\nFlags may be spelt with dashes or underscores (--batch-size, --batch_size).\n",
                  version::VersionLine("detectctl"), "\n");
  return out;
}

std::string CommandHelp(const Command& command) {
  std::string out = absl::StrCat("detectctl ", command.name, ": ", command.summary, "\n\nUsage: detectctl ",
                                 command.name, " ", command.usage, "\n");
  if (!command.details.empty()) absl::StrAppend(&out, "\n", command.details, "\n");
  if (!command.flags.empty()) {
    out += "\nFlags:\n";
    out += version::FormatFlagHelp(command.flags, [&command](absl::string_view name) -> std::string {
      if (name != "format" || command.formats.empty()) return "";
      return absl::StrCat("Output format: ", absl::StrJoin(command.formats, " | "));
    });
  }
  if (!command.examples.empty()) {
    out += "\nExamples:\n";
    for (const std::string& e : command.examples) absl::StrAppend(&out, "  ", e, "\n");
  }
  return out;
}

std::string CheckCommandFlags(const Command& command, const std::vector<std::string>& args) {
  for (const std::string& arg : args) {
    if (arg == "--") break;
    std::optional<version::FlagArg> f = version::ParseFlagArg(arg);
    if (!f) continue;
    const absl::CommandLineFlag* flag = version::FindFlag(f->name);
    if (flag == nullptr) continue;  // Reported as unknown elsewhere.
    const std::string name(flag->Name());
    if (std::find(command.flags.begin(), command.flags.end(), name) != command.flags.end()) continue;
    std::vector<std::string> users;
    for (const Command& c : Commands()) {
      if (std::find(c.flags.begin(), c.flags.end(), name) != c.flags.end()) users.push_back(c.name);
    }
    std::string msg = absl::StrCat("--", name, " is not a flag of ", command.name);
    if (!users.empty()) absl::StrAppend(&msg, " (it is one of: ", absl::StrJoin(users, ", "), ")");
    return msg;
  }
  return "";
}

std::string CheckFormat(const Command& command, absl::string_view format) {
  if (command.formats.empty() ||
      std::find(command.formats.begin(), command.formats.end(), format) != command.formats.end()) {
    return "";
  }
  return absl::StrCat("unknown --format \"", format, "\"; ", command.name,
                      " prints: ", absl::StrJoin(command.formats, ", "));
}

}  // namespace detect::client
