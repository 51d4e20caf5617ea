// otlp_load: sustained OTLP logs load on detectd, for the OTLP rows of BENCHMARKS.md. Reads an NDJSON file of
// audit events, encodes ExportLogsServiceRequests of --batch records (string bodies, as a Collector's filelog
// receiver sends them) once, then sends them for --duration seconds from --concurrency threads, over gRPC
// (LogsService/Export) or OTLP/HTTP protobuf (POST /v1/logs, libcurl), and prints records/s.
//
//   otlp_load --protocol grpc --target 127.0.0.1:50051 --batch 500 --concurrency 2 --duration 8 events.ndjson
//   otlp_load --protocol http --target 127.0.0.1:8080 ...
#include <curl/curl.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "opentelemetry/proto/collector/logs/v1/logs_service.grpc.pb.h"

namespace {

using opentelemetry::proto::collector::logs::v1::ExportLogsServiceRequest;
using opentelemetry::proto::collector::logs::v1::ExportLogsServiceResponse;
using opentelemetry::proto::collector::logs::v1::LogsService;

struct Args {
  std::string protocol = "grpc", target, file;
  int batch = 500, concurrency = 2;
  double duration = 8;
};

size_t Discard(char*, size_t size, size_t n, void*) { return size * n; }

}  // namespace

int main(int argc, char** argv) {
  Args a;
  for (int i = 1; i < argc; ++i) {
    const std::string k = argv[i];
    auto next = [&] { return i + 1 < argc ? std::string(argv[++i]) : std::string(); };
    if (k == "--protocol") a.protocol = next();
    else if (k == "--target") a.target = next();
    else if (k == "--batch") a.batch = std::stoi(next());
    else if (k == "--concurrency") a.concurrency = std::stoi(next());
    else if (k == "--duration") a.duration = std::stod(next());
    else a.file = k;
  }
  std::ifstream in(a.file);
  std::vector<std::string> lines;
  for (std::string l; std::getline(in, l);) if (!l.empty()) lines.push_back(l);
  if (a.target.empty() || lines.empty()) {
    std::fprintf(stderr, "usage: otlp_load --protocol grpc|http --target HOST:PORT [--batch N] "
                         "[--concurrency N] [--duration S] FILE.ndjson\n");
    return 2;
  }
  // Requests cycling through the file.
  std::vector<ExportLogsServiceRequest> requests((lines.size() + a.batch - 1) / a.batch);
  for (size_t r = 0; r < requests.size(); ++r) {
    auto* records = requests[r].add_resource_logs()->add_scope_logs();
    for (int i = 0; i < a.batch; ++i) {
      records->add_log_records()->mutable_body()->set_string_value(lines[(r * a.batch + i) % lines.size()]);
    }
  }
  std::vector<std::string> encoded;
  for (const auto& r : requests) encoded.push_back(r.SerializeAsString());
  curl_global_init(CURL_GLOBAL_DEFAULT);
  std::atomic<long> records{0}, failures{0};
  const auto start = std::chrono::steady_clock::now();
  const auto end = start + std::chrono::duration<double>(a.duration);
  std::vector<std::thread> workers;
  for (int w = 0; w < a.concurrency; ++w) {
    workers.emplace_back([&, w] {
      size_t next = static_cast<size_t>(w);
      if (a.protocol == "grpc") {
        auto stub = LogsService::NewStub(grpc::CreateChannel(a.target, grpc::InsecureChannelCredentials()));
        while (std::chrono::steady_clock::now() < end) {
          grpc::ClientContext ctx;
          ExportLogsServiceResponse response;
          const grpc::Status s = stub->Export(&ctx, requests[next++ % requests.size()], &response);
          if (s.ok() && !response.has_partial_success()) records += a.batch; else ++failures;
        }
        return;
      }
      CURL* curl = curl_easy_init();
      const std::string url = "http://" + a.target + "/v1/logs";
      curl_slist* headers = curl_slist_append(nullptr, "Content-Type: application/x-protobuf");
      curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
      curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
      curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, Discard);
      while (std::chrono::steady_clock::now() < end) {
        const std::string& body = encoded[next++ % encoded.size()];
        curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body.data());
        curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
        long code = 0;
        if (curl_easy_perform(curl) == CURLE_OK) curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &code);
        if (code == 200) records += a.batch; else ++failures;
      }
      curl_slist_free_all(headers);
      curl_easy_cleanup(curl);
    });
  }
  for (auto& t : workers) t.join();
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("otlp_load protocol=%s batch=%d concurrency=%d seconds=%.2f records=%ld failures=%ld "
              "records_per_second=%.0f\n",
              a.protocol.c_str(), a.batch, a.concurrency, seconds, records.load(), failures.load(),
              records.load() / seconds);
  return failures.load() == 0 ? 0 : 1;
}
