// StreamReactor: one StreamEvaluate call. One read in flight; each message read is evaluated inline (bounded
// by max_events_per_request) and its serialized response queued; at most one write in flight. The next read
// starts only while the queue has room (max_queued_responses, max_queued_response_bytes), so a client that
// reads slowly stalls its own stream (HTTP/2 flow control) and the server never buffers more than that per
// stream. The stream takes a slot of max_concurrent_streams with its first message and gives it back as soon as
// it is cancelled or ends: a stream reset before its first message (HTTP/2 rapid reset) never holds one.
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
  // Takes a slot for the first message (under mu_); false if the limit is reached.
  bool TakeSlotLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void ReleaseSlotLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Queue a response / drop the first or last one, keeping queued_bytes_ and the gauge right.
  void PushLocked(grpc::ByteBuffer response) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void PopLocked(bool front) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Records whether reads are paused for a slow reader, keeping the gauge right.
  void SetReadingPausedLocked(bool paused) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
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
  bool got_message_ ABSL_GUARDED_BY(mu_) = false;  // A first message arrived (the slot was asked for).
  bool holds_slot_ ABSL_GUARDED_BY(mu_) = false;
  bool reading_paused_ ABSL_GUARDED_BY(mu_) = false;  // No read started: the response queue is full.
  int64_t queued_bytes_ ABSL_GUARDED_BY(mu_) = 0;  // Serialized size of queue_.
  int64_t largest_response_ ABSL_GUARDED_BY(mu_) = 0;  // Of this stream so far.
};

}  // namespace detect::server

#endif  // DETECT_SERVER_STREAM_REACTOR_H_
