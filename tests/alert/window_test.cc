// The window/threshold state machine, table-driven with an injected clock (match times are given).
#include "alert/window.h"

#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace detect::alert {
namespace {

struct Step {
  double at_seconds;
  Outcome expect;
  Severity severity = Severity::kLow;
};

struct Case {
  std::string name;
  int period_minutes;
  int threshold;
  double update_interval_seconds;
  std::vector<Step> steps;
  int64_t final_count;
  Severity final_highest = Severity::kLow;
};

const absl::Time kT0 = absl::FromUnixSeconds(1700000000);

MatchRecord MatchAt(const std::shared_ptr<const RuleMeta>& rule, double seconds, Severity sev, int i) {
  MatchRecord m;
  m.rule = rule;
  m.dedup = "k";
  m.title = "t" + std::to_string(i);
  m.severity = sev;
  m.event_id = "e" + std::to_string(i);
  m.time = kT0 + absl::Seconds(seconds);
  return m;
}

class WindowTest : public ::testing::TestWithParam<Case> {};

TEST_P(WindowTest, OutcomesFollowPantherSemantics) {
  const Case& c = GetParam();
  auto rule = std::make_shared<RuleMeta>();
  rule->id = "R";
  rule->dedup_period_minutes = c.period_minutes;
  rule->threshold = c.threshold;
  WindowPolicy policy;
  policy.update_interval = absl::Seconds(c.update_interval_seconds);
  Window w;
  for (size_t i = 0; i < c.steps.size(); ++i) {
    const Step& s = c.steps[i];
    EXPECT_EQ(ApplyMatch(MatchAt(rule, s.at_seconds, s.severity, static_cast<int>(i)), policy, &w), s.expect)
        << "step " << i << " at +" << s.at_seconds << "s";
  }
  EXPECT_EQ(w.alert.match_count, c.final_count);
  EXPECT_EQ(w.alert.highest_severity, c.final_highest);
  EXPECT_EQ(w.alert.window_end - w.alert.window_start, absl::Minutes(c.period_minutes));
}

using O = Outcome;
INSTANTIATE_TEST_SUITE_P(
    Cases, WindowTest,
    ::testing::Values(
        Case{"threshold_one_first_match_alerts", 60, 1, 300, {{0, O::kAlertOpened}}, 1},
        Case{"threshold_three_third_match_alerts", 60, 3, 300,
             {{0, O::kBelowThreshold}, {10, O::kBelowThreshold}, {20, O::kAlertOpened}, {30, O::kAlertJoined}}, 4},
        Case{"match_exactly_at_window_end_opens_new_window", 1, 2, 300,
             {{0, O::kBelowThreshold}, {60, O::kBelowThreshold}}, 1},
        Case{"match_just_before_window_end_joins", 1, 2, 300,
             {{0, O::kBelowThreshold}, {59.999, O::kAlertOpened}}, 2},
        Case{"threshold_reached_by_last_match_of_window", 1, 3, 300,
             {{0, O::kBelowThreshold}, {30, O::kBelowThreshold}, {59.5, O::kAlertOpened}}, 3},
        Case{"window_ending_below_threshold_makes_no_alert", 1, 3, 300,
             {{0, O::kBelowThreshold}, {30, O::kBelowThreshold}, {61, O::kBelowThreshold},
              {70, O::kBelowThreshold}}, 2},
        Case{"every_match_updates_with_zero_interval", 60, 1, 0,
             {{0, O::kAlertOpened}, {1, O::kAlertUpdated}, {2, O::kAlertUpdated}}, 3},
        Case{"updates_at_most_once_per_interval", 60, 1, 10,
             {{0, O::kAlertOpened}, {5, O::kAlertJoined}, {12, O::kAlertUpdated}, {15, O::kAlertJoined}}, 4},
        Case{"event_time_going_backwards_joins_the_window", 60, 2, 300,
             {{100, O::kBelowThreshold}, {50, O::kAlertOpened}}, 2},
        Case{"highest_severity_is_kept", 60, 1, 300,
             {{0, O::kAlertOpened, Severity::kLow}, {1, O::kAlertJoined, Severity::kCritical},
              {2, O::kAlertJoined, Severity::kMedium}}, 3, Severity::kCritical},
        Case{"next_window_after_an_alert_alerts_again", 60, 1, 300,
             {{0, O::kAlertOpened}, {3600, O::kAlertOpened}}, 1},
        Case{"zero_threshold_counts_as_one", 60, 0, 300, {{0, O::kAlertOpened}}, 1}),
    [](const ::testing::TestParamInfo<Case>& info) { return info.param.name; });

TEST(WindowFieldsTest, AlertKeepsOpenerFieldsAndBoundsSamples) {
  auto rule = std::make_shared<RuleMeta>();
  rule->id = "R";
  rule->threshold = 2;
  WindowPolicy policy;
  policy.max_sample_event_ids = 2;
  Window w;
  ASSERT_EQ(ApplyMatch(MatchAt(rule, 10, Severity::kLow, 0), policy, &w), Outcome::kBelowThreshold);
  ASSERT_EQ(ApplyMatch(MatchAt(rule, 5, Severity::kHigh, 1), policy, &w), Outcome::kAlertOpened);
  ApplyMatch(MatchAt(rule, 20, Severity::kLow, 2), policy, &w);
  EXPECT_EQ(w.alert.title, "t0");
  EXPECT_EQ(w.alert.severity, Severity::kLow);
  EXPECT_EQ(w.alert.highest_severity, Severity::kHigh);
  EXPECT_EQ(w.alert.first_match_time, kT0 + absl::Seconds(5));
  EXPECT_EQ(w.alert.last_match_time, kT0 + absl::Seconds(20));
  EXPECT_EQ(w.alert.sample_event_ids, (std::vector<std::string>{"e0", "e1"}));
  EXPECT_EQ(w.alert.alert_id, AlertId("R", "k", kT0 + absl::Seconds(10)));
}

// Distinct-value thresholds: the window counts distinct values of the rule's field, not matches.
class DistinctWindowTest : public ::testing::Test {
 protected:
  DistinctWindowTest() {
    auto rule = std::make_shared<RuleMeta>();
    rule->id = "R";
    rule->dedup_period_minutes = 30;
    rule->threshold = 3;
    rule->threshold_field = "objectRef.name";
    rule_ = rule;
  }
  Outcome Apply(double seconds, const std::string& value) {
    MatchRecord m = MatchAt(rule_, seconds, Severity::kLow, n_++);
    m.distinct_value = value;
    return ApplyMatch(m, policy_, &w_);
  }
  std::shared_ptr<const RuleMeta> rule_;
  WindowPolicy policy_;
  Window w_;
  int n_ = 0;
};

TEST_F(DistinctWindowTest, RepeatsAndMissingValuesCountAsMatchesNotValues) {
  EXPECT_EQ(Apply(0, "a"), Outcome::kBelowThreshold);
  EXPECT_EQ(Apply(1, "a"), Outcome::kBelowThreshold);
  EXPECT_EQ(Apply(2, ""), Outcome::kBelowThreshold);  // The field was missing: a match, no value.
  EXPECT_EQ(Apply(3, "b"), Outcome::kBelowThreshold);
  EXPECT_EQ(w_.alert.match_count, 4);
  EXPECT_EQ(w_.alert.distinct_count, 2);
  EXPECT_EQ(Apply(4, "c"), Outcome::kAlertOpened);  // The third distinct value.
  EXPECT_EQ(w_.alert.distinct_count, 3);
  EXPECT_EQ(w_.alert.state, AlertState::kOpened);
  EXPECT_EQ(Apply(5, "d"), Outcome::kAlertJoined);
  EXPECT_EQ(w_.alert.distinct_count, 4);
}

TEST_F(DistinctWindowTest, ANewWindowForgetsTheValues) {
  EXPECT_EQ(Apply(0, "a"), Outcome::kBelowThreshold);
  EXPECT_EQ(Apply(60, "b"), Outcome::kBelowThreshold);
  EXPECT_EQ(Apply(30 * 60, "c"), Outcome::kBelowThreshold);  // Exactly at the end: a new window.
  EXPECT_EQ(w_.alert.distinct_count, 1);
  EXPECT_EQ(w_.alert.match_count, 1);
}

TEST_F(DistinctWindowTest, ValuesPastTheBoundAreNotCountedAndReportedDropped) {
  policy_.max_distinct_values = 4;
  bool dropped = true;
  for (const char* v : {"a", "b", "c", "d"}) {
    MatchRecord m = MatchAt(rule_, 1, Severity::kLow, n_++);
    m.distinct_value = v;
    ApplyMatch(m, policy_, &w_, &dropped);
    EXPECT_FALSE(dropped) << v;
  }
  MatchRecord m = MatchAt(rule_, 2, Severity::kLow, n_++);
  m.distinct_value = "e";
  EXPECT_EQ(ApplyMatch(m, policy_, &w_, &dropped), Outcome::kAlertJoined);
  EXPECT_TRUE(dropped);
  EXPECT_EQ(w_.alert.distinct_count, 4);
  m.distinct_value = "a";  // Already counted: not dropped.
  ApplyMatch(m, policy_, &w_, &dropped);
  EXPECT_FALSE(dropped);
  EXPECT_EQ(w_.distinct.size(), 4u);
  EXPECT_EQ(w_.alert.match_count, 6);
}

TEST_F(DistinctWindowTest, AThresholdAboveTheBoundRaisesItSoTheThresholdIsReachable) {
  policy_.max_distinct_values = 1;
  EXPECT_EQ(DistinctBound(*rule_, policy_), 3u);
  EXPECT_EQ(Apply(0, "a"), Outcome::kBelowThreshold);
  EXPECT_EQ(Apply(1, "b"), Outcome::kBelowThreshold);
  EXPECT_EQ(Apply(2, "c"), Outcome::kAlertOpened);
  EXPECT_EQ(Apply(3, "d"), Outcome::kAlertJoined);
  EXPECT_EQ(w_.alert.distinct_count, 3);  // Saturated at the bound.
}

TEST(DistinctFingerprintTest, StableAcrossProcesses) {
  // FNV-1a 64 of "" and "a": fixed numbers, so replicas and the Redis store agree.
  EXPECT_EQ(DistinctFingerprint(""), 14695981039346656037ull);
  EXPECT_EQ(DistinctFingerprint("a"), 0xaf63dc4c8601ec8cull);
  EXPECT_NE(DistinctFingerprint("db-credentials"), DistinctFingerprint("api-token"));
}

TEST(FinalUpdateTest, OnlyAnAlertWithUndeliveredMatchesHasOne) {
  auto rule = std::make_shared<RuleMeta>();
  rule->id = "R";
  rule->threshold = 2;
  WindowPolicy policy;  // Updates at most every 5 minutes.
  Window w;
  ApplyMatch(MatchAt(rule, 0, Severity::kLow, 0), policy, &w);
  EXPECT_FALSE(TakeFinalUpdate(&w)) << "below the threshold: no alert to update";
  ASSERT_EQ(ApplyMatch(MatchAt(rule, 1, Severity::kLow, 1), policy, &w), Outcome::kAlertOpened);
  EXPECT_FALSE(TakeFinalUpdate(&w)) << "everything was delivered with the opening";
  ASSERT_EQ(ApplyMatch(MatchAt(rule, 2, Severity::kLow, 2), policy, &w), Outcome::kAlertJoined);
  ASSERT_EQ(ApplyMatch(MatchAt(rule, 3, Severity::kLow, 3), policy, &w), Outcome::kAlertJoined);
  ASSERT_TRUE(TakeFinalUpdate(&w));
  EXPECT_EQ(w.alert.state, AlertState::kUpdated);
  EXPECT_EQ(w.alert.match_count, 4);
  EXPECT_EQ(w.alert.last_match_time, kT0 + absl::Seconds(3));
  EXPECT_FALSE(TakeFinalUpdate(&w)) << "delivered once";
}

TEST(AlertIdTest, StableAndDistinct) {
  const std::string a = AlertId("R", "k", kT0);
  EXPECT_EQ(a.size(), 32u);
  EXPECT_EQ(a, AlertId("R", "k", kT0));
  EXPECT_NE(a, AlertId("R", "k", kT0 + absl::Microseconds(1)));
  EXPECT_NE(a, AlertId("R", "k2", kT0));
  EXPECT_NE(AlertId("Ra", "b", kT0), AlertId("R", "ab", kT0));
}

}  // namespace
}  // namespace detect::alert
