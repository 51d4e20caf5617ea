// JSON event parsing: the per-event errors (too large, too deep, invalid, not an object) and value mapping.
#include <string>

#include "engine/json_event.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"

namespace detect {
namespace {

using ::detect::test_support::IsOk;
using ::detect::test_support::StatusIs;
using ::testing::HasSubstr;

TEST(JsonEventTest, ParsesObjectsAndMapsValues) {
  JsonEventParser parser;
  auto v = parser.Parse(R"({"s":"x","i":-3,"d":1.5,"b":false,"n":null,"l":[1,2],"o":{"k":"v"},"big":18446744073709551615})");
  ASSERT_THAT(v, IsOk());
  EXPECT_EQ(v->Get("s").string_value(), "x");
  EXPECT_EQ(v->Get("i").int_value(), -3);
  EXPECT_EQ(v->Get("d").double_value(), 1.5);
  EXPECT_TRUE(v->Get("b").is_bool());
  EXPECT_TRUE(v->Get("n").is_null());
  EXPECT_EQ(v->Get("l").Size(), 2u);
  EXPECT_EQ(v->Get("l").At(-1).int_value(), 2);
  EXPECT_TRUE(v->Get("l").At(2).is_missing());
  EXPECT_EQ(v->Get("o").Get("k").string_value(), "v");
  EXPECT_TRUE(v->Get("big").is_double());
  EXPECT_TRUE(v->Get("absent").is_missing());
}

TEST(JsonEventTest, RejectsWhatIsNotAnObject) {
  JsonEventParser parser;
  EXPECT_THAT(parser.Parse("[1,2]"), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("not a JSON object")));
  EXPECT_THAT(parser.Parse("\"x\""), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("not a JSON object")));
}

TEST(JsonEventTest, RejectsInvalidJson) {
  JsonEventParser parser;
  EXPECT_THAT(parser.Parse(R"({"a":)"), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("invalid JSON")));
  EXPECT_THAT(parser.Parse(""), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("invalid JSON")));
  EXPECT_THAT(parser.Parse("{\"a\":\"\xff\xfe\"}"), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("UTF-8")));
  EXPECT_THAT(parser.Parse(R"({"n":1e999})"), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("invalid JSON")));
}

TEST(JsonEventTest, EnforcesMaxEventBytes) {
  EngineOptions options;
  options.max_event_bytes = 100;
  JsonEventParser parser(options);
  const std::string big = "{\"a\":\"" + std::string(200, 'x') + "\"}";
  EXPECT_THAT(parser.Parse(big),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("exceeds max_event_bytes 100")));
  EXPECT_THAT(parser.Parse(R"({"a":1})"), IsOk());
}

TEST(JsonEventTest, EnforcesMaxDepth) {
  EngineOptions options;
  options.max_event_depth = 16;
  JsonEventParser parser(options);
  std::string deep = "{\"a\":" + std::string(40, '[') + std::string(40, ']') + "}";
  EXPECT_THAT(parser.Parse(deep), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("nested too deep")));
  // The parser stays usable after an error.
  EXPECT_THAT(parser.Parse(R"({"a":[[1]]})"), IsOk());
}

TEST(JsonEventTest, DuplicateKeysLastWins) {
  JsonEventParser parser;
  auto v = parser.Parse(R"({"k":1,"k":2})");
  ASSERT_THAT(v, IsOk());
  EXPECT_EQ(v->Get("k").int_value(), 2);
}

}  // namespace
}  // namespace detect
