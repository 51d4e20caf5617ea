// `detectctl evaluate`, `stream` and `rules`: the gRPC client side of detectd.
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "client/commands.h"
#include "client/event_reader.h"
#include "client/flags.h"
#include "client/grpc_channel.h"
#include "client/online_common.h"
#include "detect/v1/detect.grpc.pb.h"

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
  bool raw = true;
  MatchFields fields;
  AuditIds audit_ids;
  AuditIds* audit_ids_if_printed = nullptr;  // Only NDJSON lines with audit_id need them.
};

// An input that could not be read (or is not events) fails the command, whatever was printed before.
int InputFailed(absl::string_view command, const EventReader& reader, int rc) {
  if (reader.status().ok()) return rc;
  std::fprintf(stderr, "detectctl %.*s: %s\n", static_cast<int>(command.size()), command.data(),
               std::string(reader.status().message()).c_str());
  return 1;
}

// Parses the shared arguments of evaluate and stream; returns an exit status on failure.
int Setup(absl::string_view command, const Args& args, Common* out) {
  const std::string format = absl::GetFlag(FLAGS_format);
  if (args.size() != 1 || absl::GetFlag(FLAGS_batch_size) < 1) {
    std::fprintf(stderr,
                 "usage: detectctl %.*s --server HOST:PORT [--typed] [--batch_size N] [--format text|ndjson] "
                 "[--tls ...] FILE|-\n",
                 static_cast<int>(command.size()), command.data());
    return 2;
  }
  if (!SendRawFromFlags(command, &out->raw)) return 2;
  absl::StatusOr<MatchFields> fields = ParseMatchFields(absl::GetFlag(FLAGS_fields));
  if (!fields.ok()) {
    std::fprintf(stderr, "detectctl %.*s: %s\n", static_cast<int>(command.size()), command.data(),
                 std::string(fields.status().message()).c_str());
    return 2;
  }
  out->fields = *std::move(fields);
  if (format == "ndjson" && HasField(out->fields, MatchField::kAuditId)) out->audit_ids_if_printed = &out->audit_ids;
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
  EventEncoder encoder(c.raw, absl::GetFlag(FLAGS_log_type), c.audit_ids_if_printed);
  ResultPrinter printer("evaluate", absl::GetFlag(FLAGS_format) == "ndjson", absl::GetFlag(FLAGS_progress), c.fields,
                        c.audit_ids_if_printed);
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
  return InputFailed("evaluate", *c.reader, printer.Finish());
}

int RunStream(const Args& args) {
  Common c;
  if (int rc = Setup("stream", args, &c); rc != 0) return rc;
  EventEncoder encoder(c.raw, absl::GetFlag(FLAGS_log_type), c.audit_ids_if_printed);
  ResultPrinter printer("stream", absl::GetFlag(FLAGS_format) == "ndjson", absl::GetFlag(FLAGS_progress), c.fields,
                        c.audit_ids_if_printed);
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
  const int rc = InputFailed("stream", *c.reader, printer.Finish());
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
    std::printf("%s\n", ProtoJson(response).c_str());
    return 0;
  }
  // Columns as wide as their widest cell.
  std::vector<std::vector<std::string>> rows = {{"RULE_ID", "SEVERITY", "ENABLED", "LOG_TYPES", "DISPLAY_NAME"}};
  for (const v1::RuleMetadata& r : response.rules()) {
    rows.push_back({r.rule_id(), std::string(SeverityText(r.severity())), r.enabled() ? "yes" : "no",
                    absl::StrJoin(r.log_types(), ","), r.display_name()});
  }
  const std::string table = FormatTable(rows);
  std::fwrite(table.data(), 1, table.size(), stdout);
  std::fprintf(stderr, "rules=%d version=%s\n", response.rules_size(), response.rule_set_version().c_str());
  return 0;
}

}  // namespace detect::client
