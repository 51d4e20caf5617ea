// Unary handlers of DetectionService; StreamEvaluate's reactor lives in stream_reactor.cc.
#include "server/service.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "server/status_bridge.h"
#include "server/stream_reactor.h"

namespace detect::server {

absl::Status CheckEventCount(int events, int max_events_per_request) {
  if (max_events_per_request > 0 && events > max_events_per_request) {
    return absl::InvalidArgumentError(absl::StrCat("request has ", events,
                                                   " events; the limit max_events_per_request is ",
                                                   max_events_per_request));
  }
  return absl::OkStatus();
}

DetectionService::DetectionService(Evaluator* evaluator, Metrics* metrics, ServiceOptions options)
    : evaluator_(evaluator), metrics_(metrics), options_(std::move(options)) {
  SetMessageAllocatorFor_Evaluate(&evaluate_allocator_);
}

grpc::ServerUnaryReactor* DetectionService::Evaluate(grpc::CallbackServerContext* context,
                                                     const v1::EvaluateRequest* request,
                                                     v1::EvaluateResponse* response) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  grpc::Status status;
  if (absl::Status limit = CheckEventCount(request->events_size(), options_.max_events_per_request); !limit.ok()) {
    status = ToGrpcStatus(limit);
  } else if (context->IsCancelled()) {
    // The deadline passed or the client gave up while the call waited: skip the work.
    status = grpc::Status(grpc::StatusCode::CANCELLED, "call cancelled before evaluation");
  } else {
    const absl::Time start = absl::Now();
    evaluator_->Evaluate(*request, response);
    if (metrics_ != nullptr) metrics_->RecordBatch(RpcMethod::kEvaluate, *response, absl::Now() - start);
  }
  if (metrics_ != nullptr) metrics_->RecordCall(RpcMethod::kEvaluate, status.error_code());
  reactor->Finish(std::move(status));
  return reactor;
}

grpc::ServerBidiReactor<v1::EvaluateRequest, v1::EvaluateResponse>* DetectionService::StreamEvaluate(
    grpc::CallbackServerContext* context) {
  return new StreamReactor(context, evaluator_, metrics_, options_, &open_streams_);
}

grpc::ServerUnaryReactor* DetectionService::ListRules(grpc::CallbackServerContext* context,
                                                      const v1::ListRulesRequest* request,
                                                      v1::ListRulesResponse* response) {
  evaluator_->ListRules(*request, response);
  if (metrics_ != nullptr) metrics_->RecordCall(RpcMethod::kListRules, grpc::StatusCode::OK);
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  reactor->Finish(grpc::Status::OK);
  return reactor;
}

grpc::ServerUnaryReactor* DetectionService::GetRule(grpc::CallbackServerContext* context,
                                                    const v1::GetRuleRequest* request,
                                                    v1::GetRuleResponse* response) {
  grpc::Status status = ToGrpcStatus(evaluator_->GetRule(*request, response));
  if (metrics_ != nullptr) metrics_->RecordCall(RpcMethod::kGetRule, status.error_code());
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  reactor->Finish(std::move(status));
  return reactor;
}

}  // namespace detect::server
