// `detectctl describe --server ADDR RULE_ID`: the DescribeRule RPC of a running detectd (what it serves),
// printed like the offline `detectctl describe --rules PATH RULE_ID`.
#include <cstdio>
#include <string>

#include "absl/flags/flag.h"
#include "client/commands.h"
#include "client/flags.h"
#include "client/grpc_channel.h"
#include "detect/v1/detect.grpc.pb.h"
#include "client/online_common.h"

namespace detect::client {

int RunDescribeRemote(const Args& args) {
  const std::string format = absl::GetFlag(FLAGS_format);
  auto stub = StubFromFlags();
  if (!stub.ok()) {
    std::fprintf(stderr, "detectctl describe: %s\n", std::string(stub.status().message()).c_str());
    return 2;
  }
  grpc::ClientContext ctx;
  ctx.set_deadline(CallDeadlineFromFlags());
  v1::DescribeRuleRequest request;
  request.set_rule_id(args[0]);
  v1::DescribeRuleResponse response;
  const grpc::Status status = (*stub)->DescribeRule(&ctx, request, &response);
  if (!status.ok()) {
    std::fprintf(stderr, "detectctl describe: %s: %s\n", absl::GetFlag(FLAGS_server).c_str(),
                 RpcErrorText(status, ChannelOptionsFromFlags()).c_str());
    return 1;
  }
  if (format == "json") {
    std::printf("%s\n", ProtoJson(response).c_str());
  } else {
    std::fwrite(response.text().data(), 1, response.text().size(), stdout);
  }
  return 0;
}

}  // namespace detect::client
