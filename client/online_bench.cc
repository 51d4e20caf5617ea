// `detectctl bench`: sustained load against detectd (unary calls or streams, N workers, fixed duration,
// optional rate), reporting events/s and latency percentiles.
//
// Requests are serialized once and sent as bytes, and responses are counted from their bytes (proto wire
// reader) rather than parsed: on a 2-core machine the load generator shares the CPU with the server, and
// re-serializing typed events for every call made the client the bottleneck. This uses gRPC's
// grpc::internal call factories, which the generated stubs use too.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <cstdio>
#include <deque>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "absl/flags/flag.h"
#include "client/commands.h"
#include "client/event_reader.h"
#include "client/flags.h"
#include "client/grpc_channel.h"
#include "client/online_common.h"
#include "detect/v1/detect.grpc.pb.h"
#include "grpcpp/impl/codegen/client_unary_call.h"
#include "grpcpp/impl/codegen/rpc_method.h"
#include "grpcpp/impl/codegen/sync_stream.h"
#include "proto/wire_reader.h"

namespace detect::client {
namespace {

using Clock = std::chrono::steady_clock;

// Used when no FILE is given: an anonymous request (matches the bundled EKS rule) and an ordinary one.
constexpr const char* kSampleEvents[] = {
    R"({"annotations":{"authorization.k8s.io/decision":"allow","authorization.k8s.io/reason":""},"apiVersion":"audit.k8s.io/v1","auditID":"abcde12345","kind":"Event","level":"Request","objectRef":{"apiVersion":"v1","name":"test-pod","namespace":"default","resource":"pods"},"p_event_time":"2022-11-29 00:09:04.38","p_log_type":"Amazon.EKS.Audit","p_source_label":"example-cluster-eks-logs","requestReceivedTimestamp":"2022-11-29 00:09:04.38","requestURI":"/api/v1/namespaces/default/pods/test-pod","responseStatus":{"code":200},"sourceIPs":["8.8.8.8"],"stage":"ResponseComplete","user":{"username":"system:anonymous"},"userAgent":"kubectl/v1.25.4","verb":"get"})",
    R"({"annotations":{"authorization.k8s.io/decision":"allow","authorization.k8s.io/reason":"RBAC"},"apiVersion":"audit.k8s.io/v1","auditID":"f00d","kind":"Event","level":"Metadata","objectRef":{"apiVersion":"v1","name":"web-1","namespace":"prod","resource":"pods"},"p_log_type":"Amazon.EKS.Audit","p_source_label":"prod-eks","requestURI":"/api/v1/namespaces/prod/pods/web-1","responseStatus":{"code":200},"sourceIPs":["10.0.3.7"],"stage":"ResponseComplete","user":{"username":"kubernetes-admin","groups":["system:masters"]},"userAgent":"kubectl/v1.29.0","verb":"get"})",
};

constexpr char kEvaluateMethod[] = "/detect.v1.DetectionService/Evaluate";
constexpr char kStreamMethod[] = "/detect.v1.DetectionService/StreamEvaluate";

// Bound on the pre-encoded requests: the whole input is cycled through unless it encodes to more than this.
constexpr size_t kMaxEncodedBytes = 256u << 20;

// The input's events in batches, serialized once; workers send them round-robin, so every event of the input
// is sent (at any --batch_size) and the match rate is the input's. An input whose batches do not fill evenly
// wraps around to the first events.
std::vector<grpc::ByteBuffer> BuildRequests(const std::vector<std::string>& events, int batch_size, bool raw,
                                            size_t* events_used) {
  EventEncoder encoder(raw, absl::GetFlag(FLAGS_log_type));
  const size_t batches = std::max<size_t>(1, (events.size() + batch_size - 1) / batch_size);
  std::vector<grpc::ByteBuffer> requests;
  size_t next = 0, bytes_total = 0;
  for (size_t b = 0; b < batches && bytes_total < kMaxEncodedBytes; ++b) {
    v1::EvaluateRequest r;
    for (int i = 0; i < batch_size; ++i, ++next) encoder.Encode(next + 1, events[next % events.size()], r.add_events());
    bytes_total += r.ByteSizeLong();
    grpc::ByteBuffer& bytes = requests.emplace_back();
    bool own = false;
    (void)grpc::SerializationTraits<v1::EvaluateRequest>::Serialize(r, &bytes, &own);
  }
  *events_used = std::min(next, events.size());
  if (*events_used < events.size()) {
    std::fprintf(stderr, "detectctl bench: the first %zu of %zu events (%zu MiB encoded) are cycled through\n",
                 *events_used, events.size(), kMaxEncodedBytes >> 20);
  }
  encoder.ReportFallbacks("bench");
  return requests;
}

struct WorkerStats {
  std::vector<double> latencies_ms;
  uint64_t events = 0;
  uint64_t matches = 0;
  uint64_t event_errors = 0;
  uint64_t failed_calls = 0;
  std::string first_failure;
};

// EvaluateResponse {repeated EventResult results = 1;}, EventResult {matches = 2; error = 3;}: counted from
// the bytes.
void Count(const grpc::ByteBuffer& response, WorkerStats& s) {
  grpc::Slice slice;
  if (!response.DumpToSingleSlice(&slice).ok()) return;
  wire::Reader results(absl::string_view(reinterpret_cast<const char*>(slice.begin()), slice.size()));
  for (wire::Field f; results.Next(&f);) {
    if (f.number != 1) continue;
    ++s.events;
    wire::Reader fields(f.data);
    for (wire::Field g; fields.Next(&g);) {
      s.matches += g.number == 2 ? 1 : 0;
      s.event_errors += g.number == 3 ? 1 : 0;
    }
  }
}

// Sleeps until `n` units of work are due at `per_second` (0: no pacing).
void Pace(Clock::time_point start, double n, double per_second) {
  if (per_second <= 0) return;
  std::this_thread::sleep_until(start + std::chrono::duration_cast<Clock::duration>(
                                            std::chrono::duration<double>(n / per_second)));
}

void UnaryWorker(grpc::Channel* channel, const std::vector<grpc::ByteBuffer>& requests,
                 Clock::time_point end, double calls_per_second, WorkerStats& s) {
  const grpc::internal::RpcMethod method(kEvaluateMethod, grpc::internal::RpcMethod::NORMAL_RPC);
  grpc::ByteBuffer response;
  const Clock::time_point start = Clock::now();
  for (size_t i = 0; Clock::now() < end; ++i) {
    Pace(start, static_cast<double>(i), calls_per_second);
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
    const Clock::time_point t0 = Clock::now();
    grpc::Status status = grpc::internal::BlockingUnaryCall<grpc::ByteBuffer, grpc::ByteBuffer>(
        channel, method, &context, requests[i % requests.size()], &response);
    s.latencies_ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
    if (!status.ok()) {
      if (s.failed_calls++ == 0) s.first_failure = RpcErrorText(status, ChannelOptionsFromFlags());
      continue;
    }
    Count(response, s);
  }
}

// One stream: a writer keeps up to `window` batches in flight; latency is send-to-response per batch.
void StreamWorker(grpc::Channel* channel, const std::vector<grpc::ByteBuffer>& requests,
                  Clock::time_point end, double batches_per_second, WorkerStats& s) {
  constexpr size_t kWindow = 4;
  const grpc::internal::RpcMethod method(kStreamMethod, grpc::internal::RpcMethod::BIDI_STREAMING);
  grpc::ClientContext context;
  std::unique_ptr<grpc::ClientReaderWriter<grpc::ByteBuffer, grpc::ByteBuffer>> stream(
      grpc::internal::ClientReaderWriterFactory<grpc::ByteBuffer, grpc::ByteBuffer>::Create(channel, method,
                                                                                           &context));
  std::mutex mu;
  std::condition_variable cv;
  std::deque<Clock::time_point> sent;
  bool done = false;
  std::thread writer([&] {
    const Clock::time_point start = Clock::now();
    for (size_t i = 0; Clock::now() < end; ++i) {
      Pace(start, static_cast<double>(i), batches_per_second);
      {
        std::unique_lock<std::mutex> lock(mu);
        cv.wait(lock, [&] { return sent.size() < kWindow || done; });
        if (done) return;
        sent.push_back(Clock::now());
      }
      if (!stream->Write(requests[i % requests.size()])) return;
    }
    stream->WritesDone();
  });
  grpc::ByteBuffer response;
  while (stream->Read(&response)) {
    const Clock::time_point now = Clock::now();
    std::lock_guard<std::mutex> lock(mu);
    s.latencies_ms.push_back(std::chrono::duration<double, std::milli>(now - sent.front()).count());
    sent.pop_front();
    cv.notify_all();
    Count(response, s);
  }
  {
    std::lock_guard<std::mutex> lock(mu);
    done = true;
    cv.notify_all();
  }
  writer.join();
  grpc::Status status = stream->Finish();
  if (!status.ok() && s.failed_calls++ == 0) s.first_failure = RpcErrorText(status, ChannelOptionsFromFlags());
}

double Percentile(const std::vector<double>& sorted, double p) {
  if (sorted.empty()) return 0;
  const size_t i = std::min(sorted.size() - 1, static_cast<size_t>(std::ceil(p * sorted.size())) - (p > 0 ? 1 : 0));
  return sorted[i];
}

}  // namespace

int RunBench(const Args& args) {
  const std::string mode = absl::GetFlag(FLAGS_mode);
  const int concurrency = absl::GetFlag(FLAGS_concurrency);
  const int batch_size = absl::GetFlag(FLAGS_batch_size);
  const double duration = absl::GetFlag(FLAGS_duration);
  if (args.size() > 1 || (mode != "stream" && mode != "unary") || concurrency < 1 || batch_size < 1 ||
      duration <= 0) {
    std::fprintf(stderr,
                 "usage: detectctl bench --server HOST:PORT [--mode stream|unary] [--concurrency N] "
                 "[--batch_size N] [--duration S] [--rate R] [--typed] [FILE]\n");
    return 2;
  }
  std::vector<std::string> events;
  if (args.size() == 1) {
    auto reader = EventReader::Open(args[0]);
    if (!reader.ok()) {
      std::fprintf(stderr, "detectctl bench: %s\n", std::string(reader.status().message()).c_str());
      return 1;
    }
    std::string json;
    while ((*reader)->Next(&json)) events.push_back(std::move(json));
  } else {
    events.assign(std::begin(kSampleEvents), std::end(kSampleEvents));
  }
  if (events.empty()) {
    std::fprintf(stderr, "detectctl bench: no events in the input\n");
    return 1;
  }
  bool raw = true;
  if (!SendRawFromFlags("bench", &raw)) return 2;
  size_t events_used = 0;
  const std::vector<grpc::ByteBuffer> requests = BuildRequests(events, batch_size, raw, &events_used);
  // --rate: calls/s (unary) or events/s (stream), split evenly across workers.
  const double rate = absl::GetFlag(FLAGS_rate);
  const double per_worker = rate <= 0 ? 0 : (mode == "unary" ? rate : rate / batch_size) / concurrency;

  std::vector<std::shared_ptr<grpc::Channel>> channels;
  for (int i = 0; i < concurrency; ++i) {
    auto channel = MakeChannel(ChannelOptionsFromFlags(), i + 1);
    if (!channel.ok()) {
      std::fprintf(stderr, "detectctl bench: %s\n", std::string(channel.status().message()).c_str());
      return 2;
    }
    channels.push_back(*std::move(channel));
  }
  std::vector<WorkerStats> stats(static_cast<size_t>(concurrency));
  const Clock::time_point start = Clock::now();
  const Clock::time_point end = start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(duration));
  std::vector<std::thread> workers;
  for (int i = 0; i < concurrency; ++i) {
    workers.emplace_back([&, i] {
      if (mode == "unary") UnaryWorker(channels[i].get(), requests, end, per_worker, stats[i]);
      else StreamWorker(channels[i].get(), requests, end, per_worker, stats[i]);
    });
  }
  for (std::thread& t : workers) t.join();
  const double seconds = std::chrono::duration<double>(Clock::now() - start).count();

  WorkerStats total;
  for (WorkerStats& s : stats) {
    total.latencies_ms.insert(total.latencies_ms.end(), s.latencies_ms.begin(), s.latencies_ms.end());
    total.events += s.events;
    total.matches += s.matches;
    total.event_errors += s.event_errors;
    total.failed_calls += s.failed_calls;
    if (total.first_failure.empty()) total.first_failure = s.first_failure;
  }
  std::sort(total.latencies_ms.begin(), total.latencies_ms.end());
  const char* unit = mode == "unary" ? "call" : "batch";
  const char* units = mode == "unary" ? "calls" : "batches";
  std::printf("mode=%s concurrency=%d batch_size=%d seconds=%.2f %s input_events=%zu distinct_requests=%zu\n",
              mode.c_str(), concurrency, batch_size, seconds, raw ? "raw" : "typed", events_used, requests.size());
  // match_rate: matches per evaluated event, so a reader sees what the workload was.
  std::printf("events=%llu events_per_second=%.0f %s=%zu %s_per_second=%.0f matches=%llu match_rate=%.4f "
              "event_errors=%llu failed_calls=%llu\n",
              static_cast<unsigned long long>(total.events), total.events / seconds, units,
              total.latencies_ms.size(), units, total.latencies_ms.size() / seconds,
              static_cast<unsigned long long>(total.matches),
              total.events > 0 ? static_cast<double>(total.matches) / total.events : 0.0,
              static_cast<unsigned long long>(total.event_errors), static_cast<unsigned long long>(total.failed_calls));
  std::printf("latency_ms_per_%s p50=%.3f p90=%.3f p99=%.3f max=%.3f\n", unit, Percentile(total.latencies_ms, 0.50),
              Percentile(total.latencies_ms, 0.90), Percentile(total.latencies_ms, 0.99),
              total.latencies_ms.empty() ? 0.0 : total.latencies_ms.back());
  if (total.failed_calls > 0) std::fprintf(stderr, "first failure: %s\n", total.first_failure.c_str());
  return total.failed_calls == 0 ? 0 : 1;
}

}  // namespace detect::client
