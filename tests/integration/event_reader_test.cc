// detectctl's input reader: NDJSON, EventList lines and documents, arrays, a pretty-printed event, bad lines.
#include "client/event_reader.h"

#include <fstream>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/server/test_files.h"

namespace detect::client {
namespace {

using ::testing::ElementsAre;

std::vector<std::string> ReadAll(const std::string& text) {
  detect::testing::TempDir dir;
  const std::string path = dir.Sub("in");
  std::ofstream(path) << text;
  auto reader = EventReader::Open(path);
  EXPECT_TRUE(reader.ok());
  std::vector<std::string> events;
  for (std::string e; (*reader)->Next(&e);) events.push_back(e);
  return events;
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

TEST(EventReaderTest, MissingFile) { EXPECT_FALSE(EventReader::Open("/nonexistent/file").ok()); }

}  // namespace
}  // namespace detect::client
