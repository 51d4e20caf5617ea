// One depth limit for JSON and typed events (issue 12, item 8): max_event_depth counts event levels (the event
// is 1, each object or array inside adds one), whether the event came as JSON text or as a typed AuditEvent
// whose requestObject is a google.protobuf.Struct (three protobuf message levels per object). Before, typed
// events were refused beyond 33 nested objects while the same event as JSON was accepted to 254.
#include <iostream>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "detect/v1/detect.pb.h"
#include "engine/json_event.h"
#include "engine/options.h"
#include "gmock/gmock.h"
#include "google/protobuf/struct.pb.h"
#include "gtest/gtest.h"
#include "proto/audit_event_wire.h"
#include "tests/testing/status_matchers.h"

namespace detect {
namespace {

using ::detect::test_support::IsOk;
using ::detect::test_support::StatusIs;
using ::testing::HasSubstr;

// An event of exactly `levels` levels: the event (1), requestObject (2), then objects {"a": ...} or arrays
// [...] down to level `levels`, around the number 1.
std::string DeepJson(size_t levels, bool arrays) {
  std::string open, close;
  for (size_t l = 3; l <= levels; ++l) {
    open += arrays ? "[" : "{\"a\":";
    close += arrays ? "]" : "}";
  }
  return absl::StrCat(R"({"verb":"get","requestObject":{"a":)", open, "1", close, "}}");
}

// The same event, typed.
std::string DeepTyped(size_t levels, bool arrays) {
  google::protobuf::Value v;
  v.set_number_value(1);
  for (size_t l = levels; l >= 3; --l) {
    google::protobuf::Value outer;
    if (arrays) {
      *outer.mutable_list_value()->add_values() = std::move(v);
    } else {
      (*outer.mutable_struct_value()->mutable_fields())["a"] = std::move(v);
    }
    v = std::move(outer);
  }
  v1::AuditEvent event;
  event.set_verb("get");
  (*event.mutable_request_object()->mutable_fields())["a"] = std::move(v);
  return event.SerializeAsString();
}

// The innermost value, read the way a rule reads it.
Value Innermost(Value v, size_t levels, bool arrays) {
  v = v.Get("requestObject").Get("a");
  for (size_t l = 3; l <= levels; ++l) v = arrays ? v.At(0) : v.Get("a");
  return v;
}

std::string TooDeep(size_t limit) {
  return absl::StrCat("event nested too deep: more than max_event_depth ", limit, " levels");
}

class EventDepthTest : public ::testing::TestWithParam<bool> {};

TEST_P(EventDepthTest, JsonAndTypedEventsShareOneLimitCountedInEventLevels) {
  const bool arrays = GetParam();
  for (size_t limit : {size_t{3}, size_t{8}, size_t{64}, kDefaultMaxEventDepth}) {
    SCOPED_TRACE(absl::StrCat("max_event_depth ", limit));
    EngineOptions options;
    options.max_event_depth = limit;
    JsonEventParser parser(options);
    absl::StatusOr<Value> json = parser.Parse(DeepJson(limit, arrays));
    ASSERT_THAT(json, IsOk());
    EXPECT_EQ(Innermost(*json, limit, arrays).int_value(), 1);
    EXPECT_THAT(parser.Parse(DeepJson(limit + 1, arrays)),
                StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr(TooDeep(limit))));

    AuditEventWire wire;
    const std::string typed = DeepTyped(limit, arrays);
    ASSERT_THAT(wire.Reset(typed, limit), IsOk());
    EXPECT_EQ(Innermost(wire.root(), limit, arrays).int_value(), 1);
    EXPECT_THAT(wire.Reset(DeepTyped(limit + 1, arrays), limit),
                StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr(TooDeep(limit))));
    EXPECT_THAT(ValidateAuditEventWire(DeepTyped(limit + 1, arrays), limit).message(), HasSubstr(TooDeep(limit)));

    // At the limit through the merge path too (requestObject sent twice: protobuf's parser reads it, with its
    // recursion limit raised to what the depth allows).
    google::protobuf::Struct extra;
    (*extra.mutable_fields())["b"].set_bool_value(true);
    v1::AuditEvent second;
    *second.mutable_request_object() = extra;
    ASSERT_THAT(wire.Reset(typed + second.SerializeAsString(), limit), IsOk());
    EXPECT_TRUE(wire.merged());
    EXPECT_EQ(Innermost(wire.root(), limit, arrays).int_value(), 1);
    EXPECT_TRUE(wire.root().Get("requestObject").Get("b").bool_value());
  }
}

INSTANTIATE_TEST_SUITE_P(Containers, EventDepthTest, ::testing::Values(false, true),
                         [](const ::testing::TestParamInfo<bool>& info) { return info.param ? "Arrays" : "Objects"; });

TEST(EventDepthDefaultTest, DefaultIs256LevelsForBothPaths) {
  EXPECT_EQ(EngineOptions().max_event_depth, 256u);
  EXPECT_EQ(kDefaultMaxEventDepth, EngineOptions().max_event_depth);  // The wire view's default.
  JsonEventParser parser;
  EXPECT_THAT(parser.Parse(DeepJson(256, false)), IsOk());
  EXPECT_THAT(parser.Parse(DeepJson(257, false)).status().message(), HasSubstr(TooDeep(256)));
  AuditEventWire wire;
  const std::string deepest = DeepTyped(256, false);
  std::cout << "DEPTH 256-level typed event: " << deepest.size() << " bytes serialized\n";
  EXPECT_THAT(wire.Reset(deepest), IsOk());
  EXPECT_THAT(wire.Reset(DeepTyped(257, false)).message(), HasSubstr(TooDeep(256)));
  // Sub-messages count like the objects they are: user.extra.<key> is a list at level 4.
  v1::AuditEvent event;
  (*event.mutable_user()->mutable_extra())["k"].add_values()->set_string_value("v");
  EXPECT_THAT(wire.Reset(event.SerializeAsString(), 4), IsOk());
  EXPECT_THAT(wire.Reset(event.SerializeAsString(), 3).message(), HasSubstr(TooDeep(3)));
  EXPECT_THAT(JsonEventParser([] { EngineOptions o; o.max_event_depth = 3; return o; }())
                  .Parse(R"({"user":{"extra":{"k":["v"]}}})")
                  .status()
                  .message(),
              HasSubstr(TooDeep(3)));
}

}  // namespace
}  // namespace detect
