// Ingest decoding: splitting webhook and NDJSON / array bodies into events, gzip with its limit, log_type.
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "server/ingest/event_splitter.h"
#include "server/ingest/gzip_body.h"
#include "server/ingest/ingest_server.h"
#include "tests/server/ingest/padded_body.h"
#include "tests/testing/gzip.h"

namespace detect::server {
namespace {

using ::detect::test_support::GzipOf;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

std::vector<std::string> Split(absl::Status (*fn)(const std::string&, std::vector<absl::string_view>*),
                               const std::string& body, absl::Status* status = nullptr) {
  std::vector<absl::string_view> events;
  absl::Status s = fn(body, &events);
  if (status != nullptr) *status = s;
  return std::vector<std::string>(events.begin(), events.end());
}

TEST(EventSplitterTest, EventListItemsKeepTheirRawText) {
  const std::string body = Padded(R"({"items":[{"verb":"get", "a":[1,2]} , {"verb":"list"}],"kind":"EventList"})");
  EXPECT_THAT(Split(SplitAuditWebhookBody, body), ElementsAre(R"({"verb":"get", "a":[1,2]})", R"({"verb":"list"})"));
  EXPECT_THAT(Split(SplitAuditWebhookBody, Padded(R"({"kind":"EventList","items":[]})")), ElementsAre());
  EXPECT_THAT(Split(SplitAuditWebhookBody, Padded(R"({"kind":"EventList"})")), ElementsAre());
  EXPECT_THAT(Split(SplitAuditWebhookBody, Padded(" {\"kind\":\"Event\",\"verb\":\"get\"}\n")),
              ElementsAre("{\"kind\":\"Event\",\"verb\":\"get\"}"));
}

TEST(EventSplitterTest, WebhookProblemsAreNamed) {
  absl::Status s;
  Split(SplitAuditWebhookBody, Padded("[1]"), &s);
  EXPECT_THAT(s.message(), HasSubstr("not a JSON object"));
  Split(SplitAuditWebhookBody, Padded(R"({"kind":"Pod"})"), &s);
  EXPECT_THAT(s.message(), HasSubstr("\"Pod\""));
  Split(SplitAuditWebhookBody, Padded(R"({"kind":"EventList","items":{}})"), &s);
  EXPECT_THAT(s.message(), HasSubstr("not an array"));
  Split(SplitAuditWebhookBody, Padded(R"({"verb":"get"})"), &s);
  EXPECT_THAT(s.message(), HasSubstr("no \"kind\""));
}

TEST(EventSplitterTest, NdjsonLinesAndArrays) {
  EXPECT_THAT(Split(SplitEventsBody, Padded("{\"a\":1}\r\n\n  {broken\n{\"b\":2}")),
              ElementsAre("{\"a\":1}", "{broken", "{\"b\":2}"));
  EXPECT_THAT(Split(SplitEventsBody, Padded(" [ {\"a\":1}, 7, {\"b\":[2]} ]")), ElementsAre("{\"a\":1}", "7", "{\"b\":[2]}"));
  absl::Status s;
  Split(SplitEventsBody, Padded("[{\"a\":1},"), &s);
  EXPECT_FALSE(s.ok());
}

TEST(GunzipTest, InflatesUnderTheLimitAndRefusesBombsAndGarbage) {
  const std::string text(100000, 'x');
  absl::StatusOr<std::string> ok = Gunzip(GzipOf(text), text.size(), 64);
  ASSERT_TRUE(ok.ok()) << ok.status();
  EXPECT_EQ(*ok, text);
  EXPECT_GE(ok->capacity(), text.size() + 64);
  absl::StatusOr<std::string> bomb = Gunzip(GzipOf(text), text.size() - 1);
  EXPECT_EQ(bomb.status().code(), absl::StatusCode::kResourceExhausted);
  EXPECT_THAT(bomb.status().message(), HasSubstr("99999"));
  EXPECT_EQ(Gunzip("not gzip", 1000).status().code(), absl::StatusCode::kInvalidArgument);
  const std::string gz = GzipOf(text);
  EXPECT_EQ(Gunzip(gz.substr(0, gz.size() / 2), 1 << 20).status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(QueryLogTypeTest, DecodesTheParameter) {
  EXPECT_EQ(QueryLogType("a=1&log_type=Amazon.EKS.Audit"), "Amazon.EKS.Audit");
  EXPECT_EQ(QueryLogType("log_type=My%2ELog+Type"), "My.Log Type");
  EXPECT_EQ(QueryLogType("x=1"), "");
}

}  // namespace
}  // namespace detect::server
