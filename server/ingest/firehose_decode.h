// Decoding of Amazon Data Firehose HTTP endpoint destination requests as EKS audit logs arrive through a
// CloudWatch Logs subscription filter: the request's records[].data are base64 of gzip-compressed CloudWatch
// Logs subscription messages, whose logEvents[].message are the audit events. CONTROL_MESSAGEs (sent when a
// subscription is created, to check the destination) carry no events. Pure functions, no I/O; the endpoint
// itself (authentication, replies, evaluation) is in firehose_handler.cc.
#ifndef DETECT_SERVER_INGEST_FIREHOSE_DECODE_H_
#define DETECT_SERVER_INGEST_FIREHOSE_DECODE_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace detect::server {

// The request envelope, with every record's data already base64-decoded (still gzip-compressed).
struct FirehoseRequest {
  std::string request_id;
  int64_t timestamp_ms = 0;
  std::vector<std::string> records;
};

// Parses a Firehose request body (`body` needs kJsonPadding spare capacity, see event_splitter.h).
// InvalidArgument naming the problem: not a JSON object, no requestId or records, a record whose data is
// missing or not base64 (named by its index).
absl::StatusOr<FirehoseRequest> ParseFirehoseRequest(const std::string& body);

// Labels given to the events of a CloudWatch Logs message, each added to an event object that lacks it.
struct FirehoseLabels {
  std::string source_label;  // p_source_label; empty: from the log group (see SourceLabelOfLogGroup).
  std::string log_type;      // p_log_type; empty: Amazon.EKS.Audit for EKS log groups, else none added.
};

// One decoded CloudWatch Logs subscription message.
struct CloudWatchMessage {
  bool control = false;  // A CONTROL_MESSAGE: no events.
  std::string log_group, log_stream;
  std::vector<std::string> events;  // logEvents[].message, with p_source_label / p_log_type added.
};

// Decodes one record: gunzip (at most `max_bytes` decompressed; ResourceExhausted beyond), then the
// subscription message. InvalidArgument for data that is not gzip or not a subscription message.
absl::StatusOr<CloudWatchMessage> DecodeCloudWatchRecord(absl::string_view gzipped, size_t max_bytes,
                                                         const FirehoseLabels& labels);

// "<cluster>" for an EKS control-plane log group "/aws/eks/<cluster>/cluster", else the group name itself.
std::string SourceLabelOfLogGroup(absl::string_view log_group);
// True for "/aws/eks/<cluster>/cluster".
bool IsEksLogGroup(absl::string_view log_group);

// The reply body Firehose expects: {"requestId":...,"timestamp":<ms>} and, when `error` is not empty,
// "errorMessage" (Firehose then retries the request).
std::string FirehoseReplyBody(absl::string_view request_id, int64_t timestamp_ms, absl::string_view error);

}  // namespace detect::server

#endif  // DETECT_SERVER_INGEST_FIREHOSE_DECODE_H_
