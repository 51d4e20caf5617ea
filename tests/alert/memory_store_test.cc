// MemoryAlertStore: LRU bound with counted evictions, and concurrent recording of one key making one alert.
#include "alert/memory_store.h"

#include <atomic>
#include <thread>
#include <vector>

#include "gtest/gtest.h"

namespace detect::alert {
namespace {

MatchRecord Match(const std::shared_ptr<const RuleMeta>& rule, const std::string& dedup, absl::Time t) {
  MatchRecord m;
  m.rule = rule;
  m.dedup = dedup;
  m.time = t;
  return m;
}

TEST(MemoryStoreTest, EvictsLeastRecentlyUsedOpenWindowAndCountsIt) {
  auto rule = std::make_shared<RuleMeta>();
  rule->id = "R";
  rule->threshold = 2;
  std::vector<std::string> evicted;
  MemoryStoreOptions o;
  o.max_windows = 2;
  o.on_evict = [&](const std::string&, const std::string& dedup) { evicted.push_back(dedup); };
  MemoryAlertStore store(o);
  const absl::Time t = absl::FromUnixSeconds(1700000000);
  ASSERT_TRUE(store.Record(Match(rule, "a", t)).ok());
  ASSERT_TRUE(store.Record(Match(rule, "b", t)).ok());
  ASSERT_TRUE(store.Record(Match(rule, "a", t)).ok());  // a: most recent (and alerted).
  ASSERT_TRUE(store.Record(Match(rule, "c", t)).ok());  // Evicts b.
  EXPECT_EQ(store.size(), 2u);
  EXPECT_EQ(store.evictions(), 1u);
  EXPECT_EQ(evicted, std::vector<std::string>{"b"});
  // b starts over: its first match was lost with the eviction.
  EXPECT_EQ(store.Record(Match(rule, "b", t))->outcome, Outcome::kBelowThreshold);
}

TEST(MemoryStoreTest, EndedWindowsLeaveWithoutCountingAsEvictions) {
  auto rule = std::make_shared<RuleMeta>();
  rule->id = "R";
  rule->dedup_period_minutes = 1;
  MemoryStoreOptions o;
  o.max_windows = 1;
  MemoryAlertStore store(o);
  const absl::Time t = absl::FromUnixSeconds(1700000000);
  ASSERT_TRUE(store.Record(Match(rule, "a", t)).ok());
  ASSERT_TRUE(store.Record(Match(rule, "b", t + absl::Minutes(2))).ok());
  EXPECT_EQ(store.evictions(), 0u);
}

TEST(MemoryStoreTest, ConcurrentMatchesOfOneKeyMakeOneAlert) {
  auto rule = std::make_shared<RuleMeta>();
  rule->id = "R";
  rule->threshold = 50;
  MemoryAlertStore store(MemoryStoreOptions{});
  const absl::Time t = absl::FromUnixSeconds(1700000000);
  std::atomic<int> opened{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 4; ++i) {
    threads.emplace_back([&] {
      for (int j = 0; j < 100; ++j) {
        if (store.Record(Match(rule, "k", t))->outcome == Outcome::kAlertOpened) opened.fetch_add(1);
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(opened.load(), 1);
}

}  // namespace
}  // namespace detect::alert
