// Polling for tests that watch another thread or process reach a state: one definition for every test binary.
#ifndef DETECT_TESTS_TESTING_EVENTUALLY_H_
#define DETECT_TESTS_TESTING_EVENTUALLY_H_

#include <chrono>
#include <thread>

namespace detect::test_support {

// True as soon as `pred()` holds, polling every 10 ms; false if it still does not after `timeout` (it is asked
// once more at the end, so a slow last poll is not lost).
template <typename Pred>
bool Eventually(Pred pred, std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
  const auto end = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < end) {
    if (pred()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return pred();
}

}  // namespace detect::test_support

#endif  // DETECT_TESTS_TESTING_EVENTUALLY_H_
