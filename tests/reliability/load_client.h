// The load clients of the reliability tests: batches of pool events with unique ids, one StreamEvaluate call
// driven by a writer thread (at most `window` batches unanswered) and a reader that checks every response, and
// unary calls, each with an account of what was sent, answered, wrong, and lost. "Lost" is the failure the tests
// exist to catch: batches sent on a stream that ended OK without answering them.
#ifndef DETECT_TESTS_RELIABILITY_LOAD_CLIENT_H_
#define DETECT_TESTS_RELIABILITY_LOAD_CLIENT_H_

#include <algorithm>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "detect/v1/detect.grpc.pb.h"
#include "tests/reliability/reliability_events.h"

namespace detect::test_support {

struct Batch {
  uint64_t first_id = 0;
  std::vector<uint32_t> events;  // Pool indices.
  std::chrono::steady_clock::time_point sent;
};

// Makes batches of 1..max_events random pool events, typed or raw at random, ids `prefix` + a counter.
// Thread-compatible.
class BatchMaker {
 public:
  BatchMaker(const std::vector<PoolEvent>& pool, std::string prefix, uint32_t seed, uint32_t max_events = 64)
      : pool_(pool), prefix_(std::move(prefix)), rng_(seed), max_events_(max_events) {}

  v1::EvaluateRequest Next(Batch* batch) {
    batch->first_id = next_id_;
    batch->events.clear();
    v1::EvaluateRequest request;
    request.set_omit_rule_metadata(rng_() % 4 == 0);
    const uint32_t size = 1 + rng_() % max_events_;
    for (uint32_t i = 0; i < size; ++i) {
      const uint32_t e = rng_() % pool_.size();
      const bool typed = rng_() % 2 == 0 && !pool_[e].typed.empty();
      typed_events_ += typed ? 1 : 0;
      batch->events.push_back(e);
      AddEvent(pool_[e], Id(next_id_++), typed, &request);
    }
    return request;
  }
  std::string Id(uint64_t n) const { return absl::StrCat(prefix_, n); }
  const std::vector<PoolEvent>& pool() const { return pool_; }
  uint32_t Random() { return rng_(); }
  uint64_t typed_events() const { return typed_events_; }

 private:
  const std::vector<PoolEvent>& pool_;
  const std::string prefix_;
  std::mt19937 rng_;
  const uint32_t max_events_;
  uint64_t next_id_ = 0;
  uint64_t typed_events_ = 0;
};

// Checks one response against its batch; returns what is wrong, or "" if nothing.
using ResponseCheck = std::function<std::string(const v1::EvaluateResponse&, const Batch&, const BatchMaker&)>;

// The default check: one result per event, in order, with the event's id, no error, and exactly the engine's
// matches; `version` (if not empty) names the rule set.
inline ResponseCheck ExpectEngineResults(std::string version = "") {
  return [version](const v1::EvaluateResponse& response, const Batch& batch, const BatchMaker& maker) {
    if (!version.empty() && response.rule_set_version() != version) {
      return "rule_set_version " + response.rule_set_version();
    }
    if (response.results_size() != static_cast<int>(batch.events.size())) {
      return absl::StrCat(response.results_size(), " results for ", batch.events.size(), " events");
    }
    for (size_t i = 0; i < batch.events.size(); ++i) {
      const v1::EventResult& r = response.results(static_cast<int>(i));
      const PoolEvent& e = maker.pool()[batch.events[i]];
      if (r.event_id() != maker.Id(batch.first_id + i) || r.has_error() || ResultKeys(r) != e.expected) {
        return absl::StrCat("event ", maker.Id(batch.first_id + i), " answered as ", r.ShortDebugString(),
                            "; expected ", e.expected.size(), " matches for ", e.json);
      }
    }
    return std::string();
  };
}

// What a client saw over its calls. Thread-compatible; Merge to add up workers.
struct Account {
  uint64_t calls = 0, calls_ok = 0;
  uint64_t batches_sent = 0, batches_answered = 0, events_sent = 0, events_answered = 0, matches = 0;
  uint64_t wrong = 0;             // Responses that failed the check.
  uint64_t unanswered = 0;        // Batches sent on a call that ended non-OK before answering them: reported.
  uint64_t silently_lost = 0;     // Batches sent on a call that ended OK without answering them: must be 0.
  std::map<int, uint64_t> codes;  // Final status code of each call.
  std::map<int, std::string> messages;  // The first message of each non-OK code.
  std::vector<float> latencies_ms;       // Per answered batch: from its write to its response.
  std::string first_problem;

  void Problem(const std::string& what) {
    if (first_problem.empty()) first_problem = what;
  }
  void Merge(const Account& o) {
    calls += o.calls;
    calls_ok += o.calls_ok;
    batches_sent += o.batches_sent;
    batches_answered += o.batches_answered;
    events_sent += o.events_sent;
    events_answered += o.events_answered;
    matches += o.matches;
    wrong += o.wrong;
    unanswered += o.unanswered;
    silently_lost += o.silently_lost;
    for (const auto& [code, n] : o.codes) codes[code] += n;
    messages.insert(o.messages.begin(), o.messages.end());
    latencies_ms.insert(latencies_ms.end(), o.latencies_ms.begin(), o.latencies_ms.end());
    if (first_problem.empty()) first_problem = o.first_problem;
  }
  void Record(const grpc::Status& status) {
    ++codes[status.error_code()];
    if (!status.ok()) messages.emplace(status.error_code(), status.error_message());
  }
  // "code:count" per status code, with the first message of each error code: `0:12,1:2 ("...")`.
  // The p-th latency percentile (0 < p <= 1), in ms; sorts latencies_ms.
  double LatencyPercentile(double p) {
    if (latencies_ms.empty()) return 0;
    std::sort(latencies_ms.begin(), latencies_ms.end());
    const size_t i = static_cast<size_t>(std::ceil(p * static_cast<double>(latencies_ms.size()))) - 1;
    return latencies_ms[std::min(i, latencies_ms.size() - 1)];
  }
  std::string Codes() const {
    std::string out;
    for (const auto& [code, n] : codes) {
      absl::StrAppend(&out, out.empty() ? "" : ",", code, ":", n);
      if (auto it = messages.find(code); it != messages.end()) absl::StrAppend(&out, " (\"", it->second, "\")");
    }
    return out;
  }
};

inline void RecordAnswer(const v1::EvaluateResponse& response, const Batch& batch, const BatchMaker& maker,
                         const ResponseCheck& check, Account& a) {
  ++a.batches_answered;
  a.latencies_ms.push_back(
      std::chrono::duration<float, std::milli>(std::chrono::steady_clock::now() - batch.sent).count());
  a.events_answered += static_cast<uint64_t>(response.results_size());
  for (const v1::EventResult& r : response.results()) a.matches += static_cast<uint64_t>(r.matches_size());
  const std::string wrong = check(response, batch, maker);
  if (!wrong.empty()) {
    ++a.wrong;
    a.Problem(wrong);
  }
}

// One StreamEvaluate call: a writer thread sends batches (at most `window` unanswered) until it has sent
// `max_batches` or `keep_writing()` turns false, then half-closes; this thread reads and checks the responses,
// then finishes the call. Returns its status.
inline grpc::Status RunStream(v1::DetectionService::Stub& stub, BatchMaker& maker, int max_batches,
                              const std::function<bool()>& keep_writing, const ResponseCheck& check, Account& a,
                              std::chrono::seconds deadline = std::chrono::seconds(120), size_t window = 8) {
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + deadline);
  auto stream = stub.StreamEvaluate(&ctx);
  ++a.calls;
  std::mutex mu;
  std::condition_variable cv;
  std::deque<Batch> in_flight;
  bool reader_done = false;
  std::thread writer([&] {
    for (int b = 0; b < max_batches && keep_writing(); ++b) {
      Batch batch;
      const v1::EvaluateRequest request = maker.Next(&batch);
      const uint64_t events = batch.events.size();
      {
        std::unique_lock<std::mutex> lock(mu);
        cv.wait(lock, [&] { return in_flight.size() < window || reader_done; });
        if (reader_done) return;
        batch.sent = std::chrono::steady_clock::now();
        in_flight.push_back(std::move(batch));
      }
      if (!stream->Write(request)) {  // Not sent: the call is over (Finish says why).
        std::lock_guard<std::mutex> lock(mu);
        if (!in_flight.empty()) in_flight.pop_back();
        return;
      }
      std::lock_guard<std::mutex> lock(mu);
      ++a.batches_sent;
      a.events_sent += events;
    }
    stream->WritesDone();
  });
  v1::EvaluateResponse response;
  while (stream->Read(&response)) {
    Batch batch;
    {
      std::lock_guard<std::mutex> lock(mu);
      if (in_flight.empty()) {
        ++a.wrong;
        a.Problem("a response without a request (a duplicate?)");
        continue;
      }
      batch = std::move(in_flight.front());
      in_flight.pop_front();
      cv.notify_all();
    }
    RecordAnswer(response, batch, maker, check, a);
  }
  {
    std::lock_guard<std::mutex> lock(mu);
    reader_done = true;
    cv.notify_all();
  }
  writer.join();
  const grpc::Status status = stream->Finish();
  a.Record(status);
  if (status.ok()) {
    ++a.calls_ok;
    a.silently_lost += in_flight.size();
    if (!in_flight.empty()) a.Problem(absl::StrCat(in_flight.size(), " batches unanswered on a stream that ended OK"));
  } else {
    a.unanswered += in_flight.size();
  }
  return status;
}

// One Evaluate call of a batch from `maker`; an OK answer is checked.
inline grpc::Status RunUnary(v1::DetectionService::Stub& stub, BatchMaker& maker, const ResponseCheck& check,
                             Account& a, std::chrono::milliseconds deadline = std::chrono::seconds(30)) {
  Batch batch;
  const v1::EvaluateRequest request = maker.Next(&batch);
  batch.sent = std::chrono::steady_clock::now();
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + deadline);
  v1::EvaluateResponse response;
  ++a.calls;
  ++a.batches_sent;
  a.events_sent += batch.events.size();
  const grpc::Status status = stub.Evaluate(&ctx, request, &response);
  a.Record(status);
  if (status.ok()) {
    ++a.calls_ok;
    RecordAnswer(response, batch, maker, check, a);
  } else {
    ++a.unanswered;
  }
  return status;
}

}  // namespace detect::test_support

#endif  // DETECT_TESTS_RELIABILITY_LOAD_CLIENT_H_
