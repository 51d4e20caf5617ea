// detectctl: the command-line tool of detectd. Offline it tests and evaluates rules with the engine; online it
// talks to a running detectd over gRPC.
#include <cstdio>
#include <string>
#include <vector>

#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "client/commands.h"
#include "client/flags.h"

namespace {

constexpr char kUsage[] = R"(detectctl: test, evaluate and inspect detection rules; talk to detectd.

Usage: detectctl COMMAND [flags] [args]

Offline commands (no server needed):
  test PATH...                      run every rule's Tests (--format text|json|junit); exit 1 on any failure
  eval --rules PATH FILE|-          evaluate NDJSON events in-process (--format text|ndjson)
  describe --rules PATH RULE_ID     what a rule detects: MITRE coverage, condition, exclusions, indicators
                                    (without --rules: the DescribeRule RPC of the server at --server)
  coverage --rules PATH             MITRE ATT&CK matrix of a rule set (--format text|json)

Online commands (detectd at --server):
  evaluate FILE|-                   unary Evaluate of NDJSON or EventList events, in batches
  stream FILE|-                     the same over one StreamEvaluate stream
  rules                             list the loaded rules
  bench                             sustained load: --mode stream|unary --concurrency --batch_size --duration

Run `detectctl --help` for every flag.)";

struct Command {
  const char* name;
  int (*run)(const detect::client::Args&);
};

}  // namespace

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage(kUsage);
  std::vector<char*> positional = absl::ParseCommandLine(argc, argv);
  if (positional.size() < 2) {
    std::fprintf(stderr, "%s\n", kUsage);
    return 2;
  }
  const std::string name = positional[1];
  detect::client::Args args(positional.begin() + 2, positional.end());
  const Command commands[] = {
      {"test", detect::client::RunTest},         {"eval", detect::client::RunEval},
      {"describe", detect::client::RunDescribe}, {"coverage", detect::client::RunCoverage},
#ifdef DETECT_WITH_GRPC
      {"evaluate", detect::client::RunEvaluate}, {"stream", detect::client::RunStream},
      {"rules", detect::client::RunRules},       {"bench", detect::client::RunBench},
#endif
  };
  for (const Command& c : commands) {
    if (name == c.name) return c.run(args);
  }
  std::fprintf(stderr, "detectctl: unknown command \"%s\"\n\n%s\n", name.c_str(), kUsage);
  return 2;
}
