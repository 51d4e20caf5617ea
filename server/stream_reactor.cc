// The StreamEvaluate state machine: see stream_reactor.h.
#include "server/stream_reactor.h"

#include <algorithm>

#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"

namespace detect::server {

StreamReactor::StreamReactor(grpc::CallbackServerContext* /*context*/, Evaluator* evaluator, Metrics* metrics,
                             const ServiceOptions& options, std::atomic<int>* open_streams)
    : evaluator_(evaluator), metrics_(metrics), options_(options), open_streams_(open_streams) {
  Actions actions;
  {
    absl::MutexLock lock(&mu_);
    actions = NextActionsLocked();  // The first read; the slot is taken when it brings a message.
  }
  Start(std::move(actions));
}

bool StreamReactor::TakeSlotLocked() {
  const int open = open_streams_->fetch_add(1) + 1;
  if (options_.max_concurrent_streams > 0 && open > options_.max_concurrent_streams) {
    open_streams_->fetch_sub(1);
    return false;
  }
  holds_slot_ = true;
  if (metrics_ != nullptr) metrics_->StreamOpened();
  return true;
}

void StreamReactor::ReleaseSlotLocked() {
  if (!holds_slot_) return;
  holds_slot_ = false;
  open_streams_->fetch_sub(1);
  if (metrics_ != nullptr) metrics_->StreamClosed();
}

StreamReactor::Actions StreamReactor::NextActionsLocked() {
  Actions a;
  if (finished_) {
    SetReadingPausedLocked(false);
    return a;
  }
  if (broken_) {  // Nobody will read them: drop the responses not yet being written.
    while (queue_.size() > (writing_ ? 1u : 0u)) PopLocked(/*front=*/false);
  }
  if (!broken_ && !writing_ && !queue_.empty()) {
    writing_ = true;
    a.write = &queue_.front();
  }
  const size_t limit = static_cast<size_t>(options_.max_queued_responses < 1 ? 1 : options_.max_queued_responses);
  // Room for one more response: by count, and by bytes assuming it is as large as the largest so far.
  const bool room = queue_.size() <= limit &&
                    (options_.max_queued_response_bytes <= 0 || queue_.empty() ||
                     queued_bytes_ + largest_response_ <= options_.max_queued_response_bytes);
  if (!broken_ && !reading_ && !read_closed_ && room) {
    reading_ = true;
    a.read = true;
  }
  SetReadingPausedLocked(!broken_ && !reading_ && !read_closed_ && !room);
  if (!reading_ && !writing_ && (broken_ || (read_closed_ && queue_.empty()))) {
    finished_ = true;
    a.finish = true;
    a.status = broken_ ? grpc::Status(grpc::StatusCode::CANCELLED, "stream cancelled") : grpc::Status::OK;
  }
  return a;
}

void StreamReactor::Start(Actions actions) {
  // Finish is last: once it is started, OnDone (and `delete this`) may run at any moment.
  if (actions.write != nullptr) StartWrite(actions.write);
  if (actions.read) StartRead(&request_);
  if (actions.finish) {
    final_code_ = actions.status.error_code();
    Finish(std::move(actions.status));
  }
}

void StreamReactor::EvaluateRequest(grpc::ByteBuffer* out) {
  const absl::Time start = absl::Now();
  v1::EvaluateResponse& response = response_arena_.New();
  absl::Status read = ReadRequest(request_, &request_bytes_, &view_);
  if (!read.ok()) {
    // Not an EvaluateRequest: no event ids to answer by. One result without id carries the error, and the
    // stream goes on.
    v1::EventResult* r = response.add_results();
    r->mutable_error()->set_code(static_cast<int>(read.code()));
    r->mutable_error()->set_message(std::string(read.message()));
  } else if (absl::Status limit = CheckEventCount(view_.events.size(), options_.max_events_per_request);
             !limit.ok()) {
    // The stream goes on: each event of the rejected message gets the error, so callers can account per id.
    for (const EventView& event : view_.events) {
      v1::EventResult* r = response.add_results();
      r->set_event_id(event.id.data(), event.id.size());
      r->mutable_error()->set_code(static_cast<int>(limit.code()));
      r->mutable_error()->set_message(std::string(limit.message()));
    }
  } else {
    evaluator_->Evaluate(view_, &response);
  }
  if (metrics_ != nullptr) metrics_->RecordBatch(RpcMethod::kStreamEvaluate, response, absl::Now() - start);
  WriteResponse(response, out);
  request_.Clear();  // Done with the bytes the views pointed into.
  request_bytes_ = grpc::Slice();
}

void StreamReactor::OnReadDone(bool ok) {
  grpc::ByteBuffer response;
  bool evaluate = ok;
  Actions refuse;
  {
    absl::MutexLock lock(&mu_);
    evaluate = evaluate && !broken_;
    if (evaluate && !got_message_) {
      got_message_ = true;
      if (!TakeSlotLocked()) {  // Nothing else is in flight: the first read has just completed.
        reading_ = false;
        finished_ = true;
        refuse.finish = true;
        refuse.status = grpc::Status(grpc::StatusCode::RESOURCE_EXHAUSTED,
                                     absl::StrCat("too many open streams: the limit max_concurrent_streams is ",
                                                  options_.max_concurrent_streams));
      }
    }
  }
  if (refuse.finish) return Start(std::move(refuse));
  if (evaluate) EvaluateRequest(&response);  // Outside the lock: writes may complete meanwhile.
  Actions actions;
  {
    absl::MutexLock lock(&mu_);
    reading_ = false;
    if (!ok) read_closed_ = true;
    if (evaluate && !broken_) PushLocked(std::move(response));
    actions = NextActionsLocked();
  }
  Start(std::move(actions));
}

void StreamReactor::PushLocked(grpc::ByteBuffer response) {
  const int64_t bytes = static_cast<int64_t>(response.Length());
  queued_bytes_ += bytes;
  largest_response_ = std::max(largest_response_, bytes);
  if (metrics_ != nullptr) metrics_->AddQueuedResponseBytes(bytes);
  queue_.push_back(std::move(response));
}

void StreamReactor::PopLocked(bool front) {
  grpc::ByteBuffer& b = front ? queue_.front() : queue_.back();
  const int64_t bytes = static_cast<int64_t>(b.Length());
  queued_bytes_ -= bytes;
  if (metrics_ != nullptr) metrics_->AddQueuedResponseBytes(-bytes);
  if (front) {
    queue_.pop_front();
  } else {
    queue_.pop_back();
  }
}

void StreamReactor::SetReadingPausedLocked(bool paused) {
  if (paused == reading_paused_) return;
  reading_paused_ = paused;
  if (metrics_ != nullptr) metrics_->AddStreamsReadingPaused(paused ? 1 : -1);
}

void StreamReactor::OnWriteDone(bool ok) {
  Actions actions;
  {
    absl::MutexLock lock(&mu_);
    writing_ = false;
    PopLocked(/*front=*/true);
    if (!ok) broken_ = true;
    actions = NextActionsLocked();
  }
  Start(std::move(actions));
}

void StreamReactor::OnCancel() {
  Actions actions;
  {
    absl::MutexLock lock(&mu_);
    broken_ = true;
    // The slot goes back now, not when gRPC gets round to OnDone: under a flood of resets that can be seconds.
    ReleaseSlotLocked();
    if (!got_message_ && metrics_ != nullptr) metrics_->StreamResetBeforeFirstMessage();
    actions = NextActionsLocked();
  }
  Start(std::move(actions));
}

void StreamReactor::OnDone() {
  {
    absl::MutexLock lock(&mu_);
    ReleaseSlotLocked();
    SetReadingPausedLocked(false);
    while (!queue_.empty()) PopLocked(/*front=*/true);
  }
  if (metrics_ != nullptr) {
    metrics_->RecordCall(RpcMethod::kStreamEvaluate, final_code_);
  }
  delete this;
}

}  // namespace detect::server
