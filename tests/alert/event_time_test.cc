// Event time: the three fields in order of preference and both timestamp forms.
#include "alert/event_time.h"

#include "gtest/gtest.h"

namespace detect::alert {
namespace {

TEST(EventTimeTest, ParsesRfc3339AndPantherForms) {
  const absl::Time want = absl::FromUnixMicros(1669680544380000);  // 2022-11-29 00:09:04.38 UTC
  EXPECT_EQ(ParseEventTimestamp("2022-11-29T00:09:04.380000Z"), want);
  EXPECT_EQ(ParseEventTimestamp("2022-11-29 00:09:04.38"), want);
  EXPECT_EQ(ParseEventTimestamp("2022-11-29T01:09:04.38+01:00"), want);
  EXPECT_EQ(ParseEventTimestamp("yesterday"), std::nullopt);
  EXPECT_EQ(ParseEventTimestamp(""), std::nullopt);
}

TEST(EventTimeTest, PrefersPEventTimeThenRequestReceivedThenStage) {
  EXPECT_EQ(EventTimeOfJson(R"({"stageTimestamp":"2022-01-01T00:00:02Z","requestReceivedTimestamp":)"
                            R"("2022-01-01T00:00:01Z","p_event_time":"2022-01-01 00:00:00"})"),
            absl::FromUnixSeconds(1640995200));
  EXPECT_EQ(EventTimeOfJson(R"({"stageTimestamp":"2022-01-01T00:00:02Z","requestReceivedTimestamp":)"
                            R"("2022-01-01T00:00:01Z"})"),
            absl::FromUnixSeconds(1640995201));
  EXPECT_EQ(EventTimeOfJson(R"({"stageTimestamp":"2022-01-01T00:00:02Z","p_event_time":"bad"})"),
            absl::FromUnixSeconds(1640995202));
  EXPECT_EQ(EventTimeOfJson(R"({"verb":"get"})"), std::nullopt);
  EXPECT_EQ(EventTimeOfJson("not json"), std::nullopt);
}

}  // namespace
}  // namespace detect::alert
