// StreamReactor: one StreamEvaluate call. One read in flight; each message read is evaluated inline (bounded
// by max_events_per_request) and its serialized response queued; at most one write in flight. The next read
// starts only while the queue has room, so a client that reads slowly stalls its own stream (HTTP/2 flow
// control) and the server never buffers more than max_queued_responses + 1 responses per stream.
// Messages travel as raw bytes (see service.h): requests are read through RequestView.
#ifndef DETECT_SERVER_STREAM_REACTOR_H_
#define DETECT_SERVER_STREAM_REACTOR_H_

#include <atomic>
#include <deque>

#include "absl/synchronization/mutex.h"
#include "detect/v1/detect.grpc.pb.h"
#include "grpcpp/support/byte_buffer.h"
#include "server/evaluator.h"
#include "server/request_view.h"
#include "server/response_arena.h"
#include "server/metrics.h"
#include "server/service.h"

namespace detect::server {

// Owned by gRPC: deletes itself in OnDone. Reactions may run concurrently on gRPC threads; the state below is
// guarded by mu_, and gRPC operations are started outside the lock.
class StreamReactor final : public grpc::ServerBidiReactor<grpc::ByteBuffer, grpc::ByteBuffer> {
 public:
  StreamReactor(grpc::CallbackServerContext* context, Evaluator* evaluator, Metrics* metrics,
                const ServiceOptions& options, std::atomic<int>* open_streams);

  void OnReadDone(bool ok) override;
  void OnWriteDone(bool ok) override;
  void OnCancel() override;
  void OnDone() override;

 private:
  // gRPC operations to start after a state change: decided under mu_, started after releasing it.
  struct Actions {
    const grpc::ByteBuffer* write = nullptr;
    bool read = false;
    bool finish = false;
    grpc::Status status;
  };
  Actions NextActionsLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void Start(Actions actions);
  // Evaluates the message in request_ into `out` (serialized).
  void EvaluateRequest(grpc::ByteBuffer* out);

  Evaluator* const evaluator_;
  Metrics* const metrics_;
  const ServiceOptions& options_;
  std::atomic<int>* const open_streams_;
  // False for a stream refused at the limit: it gave its slot back at once, so that a burst of refused
  // streams never crowds out the ones that fit.
  bool holds_slot_ = true;
  grpc::StatusCode final_code_ = grpc::StatusCode::OK;

  // Only the one read in flight writes these, and only OnReadDone reads them; reused from message to message.
  grpc::ByteBuffer request_;
  grpc::Slice request_bytes_;
  RequestView view_;
  ResponseArena response_arena_;

  absl::Mutex mu_;
  std::deque<grpc::ByteBuffer> queue_ ABSL_GUARDED_BY(mu_);  // front() is being written while writing_.
  bool reading_ ABSL_GUARDED_BY(mu_) = false;
  bool writing_ ABSL_GUARDED_BY(mu_) = false;
  bool read_closed_ ABSL_GUARDED_BY(mu_) = false;  // The client half-closed (or reads failed).
  bool broken_ ABSL_GUARDED_BY(mu_) = false;       // Cancelled or a write failed: stop work, finish.
  bool finished_ ABSL_GUARDED_BY(mu_) = false;
};

}  // namespace detect::server

#endif  // DETECT_SERVER_STREAM_REACTOR_H_
