// AlertReplay (offline `detectctl eval --alerts`): final counts per window, windows below the threshold, order.
#include "alert/replay.h"

#include <memory>
#include <string>

#include "gtest/gtest.h"

namespace detect::alert {
namespace {

const absl::Time kT0 = absl::FromUnixSeconds(1700000000);

std::shared_ptr<const RuleMeta> Rule(const std::string& id, int period_minutes, int threshold) {
  auto r = std::make_shared<RuleMeta>();
  r->id = id;
  r->dedup_period_minutes = period_minutes;
  r->threshold = threshold;
  return r;
}

MatchRecord At(const std::shared_ptr<const RuleMeta>& rule, const std::string& dedup, int minutes) {
  MatchRecord m;
  m.rule = rule;
  m.dedup = dedup;
  m.title = dedup + "@" + std::to_string(minutes);
  m.event_id = "e" + std::to_string(minutes);
  m.time = kT0 + absl::Minutes(minutes);
  return m;
}

TEST(AlertReplayTest, FinalCountsPerWindowAndWindowsBelowThreshold) {
  const auto r = Rule("R", 10, 2);
  AlertReplay replay;
  replay.Add(At(r, "a", 0));
  replay.Add(At(r, "a", 9));   // Threshold reached by the window's last match.
  replay.Add(At(r, "a", 10));  // Exactly at the end: a new window, alone, below the threshold.
  replay.Add(At(r, "b", 5));
  replay.Add(At(r, "b", 3));   // Time going backwards joins the window.
  replay.Add(At(r, "b", 6));
  const std::vector<AlertRecord> alerts = replay.Finish();
  ASSERT_EQ(alerts.size(), 2u);
  EXPECT_EQ(alerts[0].dedup, "a");
  EXPECT_EQ(alerts[0].match_count, 2);
  EXPECT_EQ(alerts[0].title, "a@0");
  EXPECT_EQ(alerts[0].alert_id, AlertId("R", "a", kT0));
  EXPECT_EQ(alerts[0].state, AlertState::kOpened);
  EXPECT_EQ(alerts[1].dedup, "b");
  EXPECT_EQ(alerts[1].match_count, 3);
  EXPECT_EQ(alerts[1].first_match_time, kT0 + absl::Minutes(3));
  EXPECT_EQ(alerts[1].last_match_time, kT0 + absl::Minutes(6));
  EXPECT_EQ(alerts[1].window_start, kT0 + absl::Minutes(5));
  EXPECT_EQ(replay.windows_below_threshold(), 1u);
}

TEST(AlertReplayTest, OneAlertPerWindowOrderedByWindowStart) {
  const auto r = Rule("R", 60, 1);
  AlertReplay replay;
  for (int m : {0, 30, 60, 61, 200}) replay.Add(At(r, "k", m));
  const std::vector<AlertRecord> alerts = replay.Finish();
  ASSERT_EQ(alerts.size(), 3u);
  EXPECT_EQ(alerts[0].match_count, 2);
  EXPECT_EQ(alerts[1].match_count, 2);
  EXPECT_EQ(alerts[1].window_start, kT0 + absl::Minutes(60));
  EXPECT_EQ(alerts[2].match_count, 1);
  EXPECT_NE(alerts[0].alert_id, alerts[1].alert_id);
  EXPECT_EQ(replay.windows_below_threshold(), 0u);
}

}  // namespace
}  // namespace detect::alert
