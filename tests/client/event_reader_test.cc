// detectctl's input reader: NDJSON, EventList lines and documents, arrays, a pretty-printed event, bad lines.
#include "client/event_reader.h"

#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/test_files.h"

namespace detect::client {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

// Reads `text` both ways (streaming, as evaluate/stream do, and whole, as eval does) and checks they agree.
std::vector<std::string> ReadAll(const std::string& text) {
  detect::test_support::TempDir dir;
  const std::string path = dir.Sub("in");
  std::ofstream(path) << text;
  auto reader = EventReader::Open(path);
  EXPECT_TRUE(reader.ok());
  std::vector<std::string> events;
  for (std::string e; (*reader)->Next(&e);) events.push_back(e);
  EXPECT_TRUE((*reader)->status().ok()) << (*reader)->status();
  auto batch = ReadAllEvents(path);
  EXPECT_TRUE(batch.ok()) << batch.status();
  if (batch.ok()) {
    std::vector<std::string> whole((*batch)->events.begin(), (*batch)->events.end());
    EXPECT_EQ(whole, events) << "ReadAllEvents and EventReader disagree on:\n" << text;
    EXPECT_EQ((*batch)->shape, (*reader)->shape());
  }
  return events;
}

// The error both ways of reading give for `text`.
std::string ErrorOf(const std::string& text) {
  detect::test_support::TempDir dir;
  const std::string path = dir.Sub("in");
  std::ofstream(path) << text;
  auto reader = EventReader::Open(path);
  std::string e;
  EXPECT_FALSE((*reader)->Next(&e)) << "read an event from:\n" << text;
  auto batch = ReadAllEvents(path);
  EXPECT_FALSE(batch.ok());
  EXPECT_EQ(batch.status().message(), (*reader)->status().message());
  return std::string((*reader)->status().message());
}

TEST(EventReaderTest, NdjsonSkipsBlankLinesAndKeepsBadOnes) {
  EXPECT_THAT(ReadAll("{\"a\":1}\n\n  \r\n{bad\n{\"b\":2}\r\n"), ElementsAre("{\"a\":1}", "{bad", "{\"b\":2}"));
}

TEST(EventReaderTest, EventListOnOneLineExpandsInPlace) {
  EXPECT_THAT(ReadAll("{\"a\":1}\n{\"kind\":\"EventList\",\"items\":[{\"b\":2},{\"c\":3}]}\n{\"d\":4}\n"),
              ElementsAre("{\"a\":1}", "{\"b\":2}", "{\"c\":3}", "{\"d\":4}"));
}

TEST(EventReaderTest, PrettyPrintedDocuments) {
  EXPECT_THAT(ReadAll("{\n \"kind\": \"EventList\",\n \"items\": [\n  {\"b\": 2},\n  {\"c\": [1, 2]}\n ]\n}\n"),
              ElementsAre("{\"b\":2}", "{\"c\":[1,2]}"));
  EXPECT_THAT(ReadAll("[\n {\"a\": 1},\n {\"b\": 2}\n]\n"), ElementsAre("{\"a\":1}", "{\"b\":2}"));
  EXPECT_THAT(ReadAll("{\n  \"verb\": \"get\"\n}\n"), ElementsAre("{\"verb\":\"get\"}"));
}

TEST(EventReaderTest, NeitherNdjsonNorADocumentGivesTheLinesBack) {
  EXPECT_THAT(ReadAll("oops\n{\"a\":1}\n"), ElementsAre("oops", "{\"a\":1}"));
}

TEST(EventReaderTest, TextThatIsNotEventsIsAnErrorNotZeroEvents) {
  EXPECT_THAT(ErrorOf("{\n  \"verb\": \"get\",\n  broken\n}\n"), HasSubstr("is neither NDJSON"));
  EXPECT_THAT(ErrorOf("\x1f\x8b\x08\x00 gzip bytes\n"), HasSubstr("is neither NDJSON"));
  EXPECT_THAT(ErrorOf("42\n"), HasSubstr("is neither NDJSON"));
}

TEST(EventReaderTest, ShapesAreNamed) {
  EXPECT_THAT(ReadAll(""), ElementsAre());
  EXPECT_THAT(ReadAll("[]"), ElementsAre());
}

TEST(EventReaderTest, ReadsAPipe) {
  FILE* pipe = ::popen("printf '{\"a\":1}\\n{\"b\":2}\\n'", "r");
  ASSERT_NE(pipe, nullptr);
  const std::string path = "/dev/fd/" + std::to_string(::fileno(pipe));
  auto reader = EventReader::Open(path);
  ASSERT_TRUE(reader.ok()) << reader.status();
  std::vector<std::string> events;
  for (std::string e; (*reader)->Next(&e);) events.push_back(e);
  EXPECT_THAT(events, ElementsAre("{\"a\":1}", "{\"b\":2}"));
  ::pclose(pipe);
}

TEST(EventReaderTest, MissingFile) {
  auto reader = EventReader::Open("/nonexistent/file");
  ASSERT_FALSE(reader.ok());
  EXPECT_THAT(reader.status().message(), HasSubstr("No such file or directory"));
  EXPECT_THAT(ReadAllEvents("/nonexistent/file").status().message(), HasSubstr("No such file or directory"));
}

}  // namespace
}  // namespace detect::client
