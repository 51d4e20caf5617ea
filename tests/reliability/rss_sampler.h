// RssSampler: the peak RSS of a detectd process while a test attacks it, sampled from /proc on a thread of its
// own (a peak between two checks of the test's own would be missed).
#ifndef DETECT_TESTS_RELIABILITY_RSS_SAMPLER_H_
#define DETECT_TESTS_RELIABILITY_RSS_SAMPLER_H_

#include <algorithm>
#include <atomic>
#include <chrono>
#include <thread>

#include "tests/reliability/detectd_process.h"

namespace detect::test_support {

// Thread-safe. Samples the RSS of `detectd` every 20 ms until destroyed; peak_kb() is the highest seen.
class RssSampler {
 public:
  explicit RssSampler(const DetectdProcess& detectd)
      : thread_([this, &detectd] {
          while (!stop_) {
            peak_kb_ = std::max(peak_kb_.load(), detectd.RssKb());
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
          }
        }) {}
  ~RssSampler() {
    stop_ = true;
    thread_.join();
  }
  long peak_kb() const { return peak_kb_.load(); }

 private:
  std::atomic<bool> stop_{false};
  std::atomic<long> peak_kb_{0};
  std::thread thread_;
};

}  // namespace detect::test_support

#endif  // DETECT_TESTS_RELIABILITY_RSS_SAMPLER_H_
