// `detectctl evaluate`, `stream` and `rules`: the gRPC client side of detectd.
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <mutex>
#include <string>
#include <thread>

#include "absl/flags/flag.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "client/commands.h"
#include "client/event_reader.h"
#include "client/flags.h"
#include "client/grpc_channel.h"
#include "client/online_common.h"
#include "detect/v1/detect.grpc.pb.h"
#include "google/protobuf/util/json_util.h"

namespace detect::client {
namespace {

// Batches kept in flight on a stream before the writer waits for responses.
constexpr int kStreamWindow = 8;

int RpcFailed(absl::string_view command, const grpc::Status& status) {
  std::fprintf(stderr, "detectctl %.*s: %s\n", static_cast<int>(command.size()), command.data(),
               RpcErrorText(status, ChannelOptionsFromFlags()).c_str());
  return 1;
}

struct Common {
  std::unique_ptr<v1::DetectionService::Stub> stub;
  std::unique_ptr<EventReader> reader;
};

// Parses the shared arguments of evaluate and stream; returns an exit status on failure.
int Setup(absl::string_view command, const Args& args, Common* out) {
  const std::string format = absl::GetFlag(FLAGS_format);
  if (args.size() != 1 || (format != "text" && format != "ndjson") || absl::GetFlag(FLAGS_batch_size) < 1) {
    std::fprintf(stderr,
                 "usage: detectctl %.*s --server HOST:PORT [--raw] [--batch_size N] [--format text|ndjson] "
                 "[--tls ...] FILE|-\n",
                 static_cast<int>(command.size()), command.data());
    return 2;
  }
  auto stub = StubFromFlags();
  if (!stub.ok()) {
    std::fprintf(stderr, "detectctl %.*s: %s\n", static_cast<int>(command.size()), command.data(),
                 std::string(stub.status().message()).c_str());
    return 2;
  }
  auto reader = EventReader::Open(args[0]);
  if (!reader.ok()) {
    std::fprintf(stderr, "detectctl %.*s: %s\n", static_cast<int>(command.size()), command.data(),
                 std::string(reader.status().message()).c_str());
    return 1;
  }
  out->stub = *std::move(stub);
  out->reader = *std::move(reader);
  return 0;
}

// Reads up to batch_size events into `request`; false when the input had none left.
bool FillBatch(EventReader& reader, EventEncoder& encoder, size_t* position, v1::EvaluateRequest* request) {
  request->Clear();
  const int batch = absl::GetFlag(FLAGS_batch_size);
  std::string json;
  while (request->events_size() < batch && reader.Next(&json)) {
    encoder.Encode(++*position, std::move(json), request->add_events());
  }
  return request->events_size() > 0;
}

}  // namespace

int RunEvaluate(const Args& args) {
  Common c;
  if (int rc = Setup("evaluate", args, &c); rc != 0) return rc;
  EventEncoder encoder(absl::GetFlag(FLAGS_raw), absl::GetFlag(FLAGS_log_type));
  ResultPrinter printer("evaluate", absl::GetFlag(FLAGS_format) == "ndjson", absl::GetFlag(FLAGS_progress));
  const auto timeout = std::chrono::duration<double>(absl::GetFlag(FLAGS_timeout));
  size_t position = 0;
  v1::EvaluateRequest request;
  v1::EvaluateResponse response;
  while (FillBatch(*c.reader, encoder, &position, &request)) {
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() +
                         std::chrono::duration_cast<std::chrono::milliseconds>(timeout));
    grpc::Status status = c.stub->Evaluate(&context, request, &response);
    if (!status.ok()) {
      printer.Finish();
      return RpcFailed("evaluate", status);
    }
    printer.Print(response);
  }
  encoder.ReportFallbacks("evaluate");
  return printer.Finish();
}

int RunStream(const Args& args) {
  Common c;
  if (int rc = Setup("stream", args, &c); rc != 0) return rc;
  EventEncoder encoder(absl::GetFlag(FLAGS_raw), absl::GetFlag(FLAGS_log_type));
  ResultPrinter printer("stream", absl::GetFlag(FLAGS_format) == "ndjson", absl::GetFlag(FLAGS_progress));
  grpc::ClientContext context;
  auto stream = c.stub->StreamEvaluate(&context);

  // The writer keeps up to kStreamWindow batches in flight; responses come back in order, by event id.
  std::mutex mu;
  std::condition_variable cv;
  int in_flight = 0;
  bool reader_done = false;
  std::thread writer([&] {
    size_t position = 0;
    v1::EvaluateRequest request;
    while (FillBatch(*c.reader, encoder, &position, &request)) {
      {
        std::unique_lock<std::mutex> lock(mu);
        cv.wait(lock, [&] { return in_flight < kStreamWindow || reader_done; });
        if (reader_done) return;
        ++in_flight;
      }
      if (!stream->Write(request)) return;  // The stream broke; Finish() reports why.
    }
    stream->WritesDone();
  });
  v1::EvaluateResponse response;
  while (stream->Read(&response)) {
    printer.Print(response);
    std::lock_guard<std::mutex> lock(mu);
    --in_flight;
    cv.notify_all();
  }
  {
    std::lock_guard<std::mutex> lock(mu);
    reader_done = true;
    cv.notify_all();
  }
  writer.join();
  grpc::Status status = stream->Finish();
  encoder.ReportFallbacks("stream");
  const int rc = printer.Finish();
  return status.ok() ? rc : RpcFailed("stream", status);
}

int RunRules(const Args& args) {
  const std::string format = absl::GetFlag(FLAGS_format);
  if (!args.empty() || (format != "text" && format != "json")) {
    std::fprintf(stderr, "usage: detectctl rules --server HOST:PORT [--log_type T] [--format text|json]\n");
    return 2;
  }
  auto stub = StubFromFlags();
  if (!stub.ok()) {
    std::fprintf(stderr, "detectctl rules: %s\n", std::string(stub.status().message()).c_str());
    return 2;
  }
  grpc::ClientContext context;
  context.set_deadline(CallDeadlineFromFlags());
  v1::ListRulesRequest request;
  request.set_log_type(absl::GetFlag(FLAGS_log_type));
  v1::ListRulesResponse response;
  grpc::Status status = (*stub)->ListRules(&context, request, &response);
  if (!status.ok()) return RpcFailed("rules", status);
  if (format == "json") {
    std::string json;
    google::protobuf::util::JsonPrintOptions options;
    (void)google::protobuf::util::MessageToJsonString(response, &json, options);
    std::printf("%s\n", json.c_str());
    return 0;
  }
  std::printf("%-45s %-8s %-7s %-24s %s\n", "RULE_ID", "SEVERITY", "ENABLED", "LOG_TYPES", "DISPLAY_NAME");
  for (const v1::RuleMetadata& r : response.rules()) {
    const std::string severity(SeverityText(r.severity()));
    std::printf("%-45s %-8s %-7s %-24s %s\n", r.rule_id().c_str(), severity.c_str(), r.enabled() ? "yes" : "no",
                absl::StrJoin(r.log_types(), ",").c_str(), r.display_name().c_str());
  }
  std::fprintf(stderr, "rules=%d version=%s\n", response.rules_size(), response.rule_set_version().c_str());
  return 0;
}

}  // namespace detect::client
