// The subcommands of detectctl. Each takes the arguments after the subcommand name (flags already parsed by
// main) and returns the process exit status.
#ifndef DETECT_CLIENT_COMMANDS_H_
#define DETECT_CLIENT_COMMANDS_H_

#include <string>
#include <vector>

namespace detect::client {

using Args = std::vector<std::string>;  // Positional arguments after the subcommand.

// Offline (engine only).
int RunTest(const Args& args);       // detectctl test PATH...
int RunEval(const Args& args);       // detectctl eval --rules PATH FILE|-
int RunDescribe(const Args& args);   // detectctl describe --rules PATH RULE_ID
int RunCoverage(const Args& args);   // detectctl coverage --rules PATH
int RunExplain(const Args& args);    // detectctl explain --rules PATH RULE_ID EVENT_FILE

// Online (gRPC); built only with the server parts (DETECT_WITH_GRPC).
int RunEvaluate(const Args& args);   // detectctl evaluate --server ADDR FILE|-
int RunStream(const Args& args);     // detectctl stream --server ADDR FILE|-
int RunRules(const Args& args);      // detectctl rules --server ADDR
int RunBench(const Args& args);      // detectctl bench --server ADDR
int RunDescribeRemote(const Args& args);  // detectctl describe --server ADDR RULE_ID (no --rules)
int RunAlerts(const Args& args);     // detectctl alerts --server ADDR [--since ID]

}  // namespace detect::client

#endif  // DETECT_CLIENT_COMMANDS_H_
