// Unary handlers of DetectionService; StreamEvaluate's reactor lives in stream_reactor.cc.
#include "server/service.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "grpcpp/impl/codegen/proto_utils.h"
#include "server/response_arena.h"
#include "server/status_bridge.h"
#include "server/stream_reactor.h"
#include "server/watch_reactor.h"

namespace detect::server {

absl::Status CheckEventCount(size_t events, int max_events_per_request) {
  if (max_events_per_request > 0 && events > static_cast<size_t>(max_events_per_request)) {
    return absl::InvalidArgumentError(absl::StrCat("request has ", events,
                                                   " events; the limit max_events_per_request is ",
                                                   max_events_per_request));
  }
  return absl::OkStatus();
}

absl::Status ReadRequest(const grpc::ByteBuffer& request, grpc::Slice* storage, RequestView* view) {
  if (!request.DumpToSingleSlice(storage).ok()) return absl::InvalidArgumentError("unreadable request message");
  return ParseRequestView(
      absl::string_view(reinterpret_cast<const char*>(storage->begin()), storage->size()), view);
}

void WriteResponse(const v1::EvaluateResponse& response, grpc::ByteBuffer* out) {
  bool own_buffer = false;
  (void)grpc::SerializationTraits<v1::EvaluateResponse>::Serialize(response, out, &own_buffer);
}

DetectionService::DetectionService(Evaluator* evaluator, Metrics* metrics, ServiceOptions options)
    : evaluator_(evaluator), metrics_(metrics), options_(std::move(options)) {}

grpc::ServerUnaryReactor* DetectionService::Evaluate(grpc::CallbackServerContext* context,
                                                     const grpc::ByteBuffer* request, grpc::ByteBuffer* response) {
  // Per-thread and reused: the event views' and the response's capacity survive from call to call.
  thread_local RequestView view;
  thread_local ResponseArena arena;
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  grpc::Status status;
  grpc::Slice bytes;
  absl::Status read = ReadRequest(*request, &bytes, &view);
  if (read.ok()) read = CheckEventCount(view.events.size(), options_.max_events_per_request);
  if (!read.ok()) {
    status = ToGrpcStatus(read);
  } else if (context->IsCancelled()) {
    // The deadline passed or the client gave up while the call waited: skip the work.
    status = grpc::Status(grpc::StatusCode::CANCELLED, "call cancelled before evaluation");
  } else {
    const absl::Time start = absl::Now();
    v1::EvaluateResponse& message = arena.New();
    evaluator_->Evaluate(view, &message);
    if (metrics_ != nullptr) metrics_->RecordBatch(RpcMethod::kEvaluate, message, absl::Now() - start);
    WriteResponse(message, response);
  }
  if (metrics_ != nullptr) metrics_->RecordCall(RpcMethod::kEvaluate, status.error_code());
  reactor->Finish(std::move(status));
  return reactor;
}

grpc::ServerBidiReactor<grpc::ByteBuffer, grpc::ByteBuffer>* DetectionService::StreamEvaluate(
    grpc::CallbackServerContext* context) {
  return new StreamReactor(context, evaluator_, metrics_, options_, &open_streams_);
}

grpc::ServerUnaryReactor* DetectionService::FinishUnary(grpc::CallbackServerContext* context, RpcMethod method,
                                                        grpc::Status status) {
  if (metrics_ != nullptr) metrics_->RecordCall(method, status.error_code());
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  reactor->Finish(std::move(status));
  return reactor;
}

grpc::ServerUnaryReactor* DetectionService::ListRules(grpc::CallbackServerContext* context,
                                                      const v1::ListRulesRequest* request,
                                                      v1::ListRulesResponse* response) {
  evaluator_->ListRules(*request, response);
  return FinishUnary(context, RpcMethod::kListRules, grpc::Status::OK);
}

grpc::ServerUnaryReactor* DetectionService::GetRule(grpc::CallbackServerContext* context,
                                                    const v1::GetRuleRequest* request,
                                                    v1::GetRuleResponse* response) {
  return FinishUnary(context, RpcMethod::kGetRule, ToGrpcStatus(evaluator_->GetRule(*request, response)));
}

grpc::ServerUnaryReactor* DetectionService::DescribeRule(grpc::CallbackServerContext* context,
                                                         const v1::DescribeRuleRequest* request,
                                                         v1::DescribeRuleResponse* response) {
  return FinishUnary(context, RpcMethod::kDescribeRule, ToGrpcStatus(evaluator_->DescribeRule(*request, response)));
}

namespace {

class FailedWatch final : public grpc::ServerWriteReactor<v1::WatchAlertsResponse> {
 public:
  explicit FailedWatch(grpc::Status status) { Finish(std::move(status)); }
  void OnDone() override { delete this; }
};

}  // namespace

grpc::ServerWriteReactor<v1::WatchAlertsResponse>* DetectionService::WatchAlerts(
    grpc::CallbackServerContext* context, const v1::WatchAlertsRequest* request) {
  if (watch_hub_ == nullptr) {
    return new FailedWatch(grpc::Status(grpc::StatusCode::FAILED_PRECONDITION,
                                        "alerting is off on this detectd (--alerts=false): no alert log to watch"));
  }
  return watch_hub_->Start(context, request);
}

}  // namespace detect::server
