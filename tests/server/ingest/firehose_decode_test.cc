// Firehose decoding: the request envelope (requestId, records[].data base64), CloudWatch Logs subscription
// messages (DATA_MESSAGE events, CONTROL_MESSAGE skipped), labels from the log group, and the reply body.
#include "absl/strings/escaping.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "server/ingest/event_splitter.h"
#include "server/ingest/firehose_decode.h"
#include "tests/server/ingest/padded_body.h"
#include "tests/testing/gzip.h"

namespace detect::server {
namespace {

using ::detect::test_support::GzipOf;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

constexpr char kMessage[] =
    R"({"messageType":"DATA_MESSAGE","owner":"123456789012","logGroup":"/aws/eks/prod-1/cluster",)"
    R"("logStream":"kube-apiserver-audit-0a1b","subscriptionFilters":["detectd"],"logEvents":[)"
    R"({"id":"1","timestamp":1700000000000,"message":"{\"kind\":\"Event\",\"verb\":\"get\"}"},)"
    R"({"id":"2","timestamp":1700000000001,"message":"{\"verb\":\"list\",\"p_source_label\":\"mine\"}"},)"
    R"({"id":"3","timestamp":1700000000002,"message":"{ }"},)"
    R"({"id":"4","timestamp":1700000000003,"message":"not json"}]})";

TEST(FirehoseDecodeTest, RequestEnvelopeDecodesBase64Records) {
  const std::string body = Padded(R"({"requestId":"ed4acda5-034f-9f42-bba1-f29aea6d7d8f","timestamp":1578090901599,)"
                                  R"("records":[{"data":")" + absl::Base64Escape("one") + R"("},{"data":")" +
                                  absl::Base64Escape("two") + R"("}]})");
  absl::StatusOr<FirehoseRequest> r = ParseFirehoseRequest(body);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->request_id, "ed4acda5-034f-9f42-bba1-f29aea6d7d8f");
  EXPECT_EQ(r->timestamp_ms, 1578090901599);
  EXPECT_THAT(r->records, ElementsAre("one", "two"));
  // JSON may escape '/' in base64 as "\/".
  r = ParseFirehoseRequest(Padded(R"({"requestId":"x","records":[{"data":"Pz8\/"}]})"));
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_THAT(r->records, ElementsAre("??\?"));
}

TEST(FirehoseDecodeTest, EnvelopeProblemsAreNamed) {
  EXPECT_THAT(ParseFirehoseRequest(Padded("[1]")).status().message(), HasSubstr("not a Firehose request"));
  EXPECT_THAT(ParseFirehoseRequest(Padded(R"({"records":[]})")).status().message(), HasSubstr("requestId"));
  EXPECT_THAT(ParseFirehoseRequest(Padded(R"({"requestId":"x"})")).status().message(), HasSubstr("records"));
  EXPECT_THAT(ParseFirehoseRequest(Padded(R"({"requestId":"x","records":[{"data":"b25l"},{"data":"!!"}]})"))
                  .status()
                  .message(),
              HasSubstr("record 1: data is not base64"));
  EXPECT_THAT(ParseFirehoseRequest(Padded(R"({"requestId":"x","records":[{}]})")).status().message(),
              HasSubstr("record 0 has no \"data\""));
}

TEST(FirehoseDecodeTest, DataMessageEventsGetLabelsFromTheEksLogGroup) {
  absl::StatusOr<CloudWatchMessage> m = DecodeCloudWatchRecord(GzipOf(kMessage), 1 << 20, {});
  ASSERT_TRUE(m.ok()) << m.status();
  EXPECT_FALSE(m->control);
  EXPECT_EQ(m->log_group, "/aws/eks/prod-1/cluster");
  EXPECT_EQ(m->log_stream, "kube-apiserver-audit-0a1b");
  EXPECT_THAT(m->events,
              ElementsAre(R"({"p_source_label":"prod-1","p_log_type":"Amazon.EKS.Audit","kind":"Event","verb":"get"})",
                          R"({"p_log_type":"Amazon.EKS.Audit","verb":"list","p_source_label":"mine"})",
                          R"({"p_source_label":"prod-1","p_log_type":"Amazon.EKS.Audit" })",
                          "not json"));  // Left for the evaluator to report.
}

TEST(FirehoseDecodeTest, ConfiguredLabelsWinOverTheLogGroup) {
  FirehoseLabels labels{"staging", "Custom.Audit"};
  absl::StatusOr<CloudWatchMessage> m = DecodeCloudWatchRecord(GzipOf(kMessage), 1 << 20, labels);
  ASSERT_TRUE(m.ok()) << m.status();
  EXPECT_EQ(m->events[0], R"({"p_source_label":"staging","p_log_type":"Custom.Audit","kind":"Event","verb":"get"})");
  // Another log group: its name is the source label, no log type is added.
  std::string other = kMessage;
  other.replace(other.find("/aws/eks/prod-1/cluster"), 23, "/custom/group");
  m = DecodeCloudWatchRecord(GzipOf(other), 1 << 20, {});
  ASSERT_TRUE(m.ok()) << m.status();
  EXPECT_EQ(m->events[0], R"({"p_source_label":"/custom/group","kind":"Event","verb":"get"})");
}

TEST(FirehoseDecodeTest, ControlMessageHasNoEvents) {
  const std::string control =
      R"({"messageType":"CONTROL_MESSAGE","owner":"CloudwatchLogs","logGroup":"","logStream":"",)"
      R"("subscriptionFilters":[],"logEvents":[{"id":"","timestamp":1700000000000,)"
      R"("message":"CWL CONTROL MESSAGE: Checking health of destination Firehose."}]})";
  absl::StatusOr<CloudWatchMessage> m = DecodeCloudWatchRecord(GzipOf(control), 1 << 20, {});
  ASSERT_TRUE(m.ok()) << m.status();
  EXPECT_TRUE(m->control);
  EXPECT_TRUE(m->events.empty());
}

TEST(FirehoseDecodeTest, RecordProblemsAreNamed) {
  EXPECT_THAT(DecodeCloudWatchRecord("not gzip", 1 << 20, {}).status().message(), HasSubstr("not gzip"));
  EXPECT_THAT(DecodeCloudWatchRecord(GzipOf("[]"), 1 << 20, {}).status().message(),
              HasSubstr("not a CloudWatch Logs subscription message"));
  EXPECT_THAT(DecodeCloudWatchRecord(GzipOf(R"({"logEvents":[]})"), 1 << 20, {}).status().message(),
              HasSubstr("no \"messageType\""));
  EXPECT_THAT(DecodeCloudWatchRecord(GzipOf(R"({"messageType":"DATA_MESSAGE"})"), 1 << 20, {}).status().message(),
              HasSubstr("no \"logEvents\""));
  EXPECT_THAT(
      DecodeCloudWatchRecord(GzipOf(R"({"messageType":"DATA_MESSAGE","logEvents":[{"id":"1"}]})"), 1 << 20, {})
          .status()
          .message(),
      HasSubstr("no \"message\""));
  const absl::Status big = DecodeCloudWatchRecord(GzipOf(kMessage), 100, {}).status();
  EXPECT_EQ(big.code(), absl::StatusCode::kResourceExhausted);
  EXPECT_THAT(big.message(), HasSubstr("limit of 100 bytes"));
}

TEST(FirehoseDecodeTest, LogGroupNames) {
  EXPECT_TRUE(IsEksLogGroup("/aws/eks/prod/cluster"));
  EXPECT_FALSE(IsEksLogGroup("/aws/eks//cluster"));
  EXPECT_FALSE(IsEksLogGroup("/aws/eks/a/b/cluster"));
  EXPECT_FALSE(IsEksLogGroup("/aws/lambda/f"));
  EXPECT_EQ(SourceLabelOfLogGroup("/aws/eks/prod/cluster"), "prod");
  EXPECT_EQ(SourceLabelOfLogGroup("/aws/lambda/f"), "/aws/lambda/f");
}

TEST(FirehoseDecodeTest, ReplyBodyEchoesTheRequestId) {
  EXPECT_EQ(FirehoseReplyBody("id-\"1\"", 1578090903599, ""), R"({"requestId":"id-\"1\"","timestamp":1578090903599})");
  EXPECT_EQ(FirehoseReplyBody("x", 5, "record 2: bad\n"), R"({"requestId":"x","timestamp":5,"errorMessage":"record 2: bad"})");
}

}  // namespace
}  // namespace detect::server
