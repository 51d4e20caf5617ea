// DetectionService: the detect.v1 gRPC service on the callback API. A thin shell: it checks request-level
// limits, hands events to an Evaluator, and records metrics. Unary calls are answered inline with
// DefaultReactor (evaluation is bounded by max_events_per_request); each StreamEvaluate gets a StreamReactor
// (stream_reactor.h) with one read and at most one write in flight and a bounded response queue.
//
// Evaluate and StreamEvaluate take their requests as raw bytes (gRPC's raw callback methods) and read them
// through RequestView: typed events are evaluated from their serialized form, never parsed into messages (that
// parse, a string allocation per field, cost more than evaluating the event). Responses are ordinary messages.
// WatchAlerts (server streaming) is served by a WatchHub (watch_reactor.h).
#ifndef DETECT_SERVER_SERVICE_H_
#define DETECT_SERVER_SERVICE_H_

#include <atomic>
#include <cstdint>

#include "absl/status/status.h"
#include "detect/v1/detect.grpc.pb.h"
#include "grpcpp/support/byte_buffer.h"
#include "server/evaluator.h"
#include "server/metrics.h"

namespace detect::server {

struct ServiceOptions {
  // Events in one Evaluate request or one StreamEvaluate message; more is INVALID_ARGUMENT (unary) or one
  // error result per event (stream). 0: unbounded.
  int max_events_per_request = 10000;
  // StreamEvaluate streams holding a slot, across all clients; one more is refused with RESOURCE_EXHAUSTED.
  // A stream takes its slot with its first message and gives it back when it ends or is cancelled, so streams
  // reset before sending anything (HTTP/2 rapid reset) never hold one. 0: unbounded.
  int max_concurrent_streams = 64;
  // Responses of one stream that may wait behind the one being written before the server stops reading that
  // stream (so a slow reader is held back by HTTP/2 flow control, not buffered). At least 1.
  int max_queued_responses = 2;
  // Serialized bytes of the responses one stream may have waiting (the one being written included): the next
  // message is read only if one more response as large as the stream's largest so far still fits. One response
  // is always allowed, however large. 0: no byte bound.
  int64_t max_queued_response_bytes = 1 << 20;
};

using DetectionServiceBase = v1::DetectionService::WithRawCallbackMethod_Evaluate<
    v1::DetectionService::WithRawCallbackMethod_StreamEvaluate<v1::DetectionService::WithCallbackMethod_ListRules<
        v1::DetectionService::WithCallbackMethod_GetRule<
            v1::DetectionService::WithCallbackMethod_DescribeRule<
                v1::DetectionService::WithCallbackMethod_WatchAlerts<v1::DetectionService::Service>>>>>>;

class WatchHub;

// Thread-safe. The evaluator and metrics are not owned and must outlive the service (and every RPC on it).
class DetectionService final : public DetectionServiceBase {
 public:
  DetectionService(Evaluator* evaluator, Metrics* metrics, ServiceOptions options);

  grpc::ServerUnaryReactor* Evaluate(grpc::CallbackServerContext* context, const grpc::ByteBuffer* request,
                                     grpc::ByteBuffer* response) override;
  grpc::ServerBidiReactor<grpc::ByteBuffer, grpc::ByteBuffer>* StreamEvaluate(
      grpc::CallbackServerContext* context) override;
  grpc::ServerUnaryReactor* ListRules(grpc::CallbackServerContext* context, const v1::ListRulesRequest* request,
                                      v1::ListRulesResponse* response) override;
  grpc::ServerUnaryReactor* GetRule(grpc::CallbackServerContext* context, const v1::GetRuleRequest* request,
                                    v1::GetRuleResponse* response) override;
  grpc::ServerUnaryReactor* DescribeRule(grpc::CallbackServerContext* context,
                                         const v1::DescribeRuleRequest* request,
                                         v1::DescribeRuleResponse* response) override;

  // WatchAlerts: served by `hub` (watch_reactor.h); without one (alerting off) it is FAILED_PRECONDITION. Set
  // before the server starts; the hub must outlive every call.
  void set_watch_hub(WatchHub* hub) { watch_hub_ = hub; }
  grpc::ServerWriteReactor<v1::WatchAlertsResponse>* WatchAlerts(grpc::CallbackServerContext* context,
                                                                 const v1::WatchAlertsRequest* request) override;

  int open_streams() const { return open_streams_.load(); }

 private:
  // Counts the call in the metrics and finishes it with `status` on the context's default reactor.
  grpc::ServerUnaryReactor* FinishUnary(grpc::CallbackServerContext* context, RpcMethod method, grpc::Status status);

  Evaluator* evaluator_;
  Metrics* metrics_;
  const ServiceOptions options_;
  std::atomic<int> open_streams_{0};
  WatchHub* watch_hub_ = nullptr;
};

// InvalidArgument naming the limit when `events` exceeds `max_events_per_request` (0: unbounded).
absl::Status CheckEventCount(size_t events, int max_events_per_request);

// Reads a request's bytes into `view`; `storage` keeps them contiguous (a copy only when gRPC received the
// message in several slices). InvalidArgument for a malformed request.
absl::Status ReadRequest(const grpc::ByteBuffer& request, grpc::Slice* storage, RequestView* view);

// Serializes `response` into `out` (gRPC's own protobuf serializer).
void WriteResponse(const v1::EvaluateResponse& response, grpc::ByteBuffer* out);

}  // namespace detect::server

#endif  // DETECT_SERVER_SERVICE_H_
