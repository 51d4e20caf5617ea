// Polling for tests that watch another thread or process reach a state: one definition for every test binary.
#ifndef DETECT_TESTS_TESTING_EVENTUALLY_H_
#define DETECT_TESTS_TESTING_EVENTUALLY_H_

#include <chrono>
#include <thread>

namespace detect::test_support {

// How long a test waits, by default, for another thread or process to reach a state: 10 s, and a minute in
// sanitizer builds. Under TSan on a loaded machine (load 20) work that takes a second normally took more than
// 10 s (cancelled streams of 5,000-event batches winding down): waiting longer costs a passing test nothing,
// and a failing one still fails.
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
inline constexpr std::chrono::seconds kEventuallyTimeout{60};
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
inline constexpr std::chrono::seconds kEventuallyTimeout{60};
#else
inline constexpr std::chrono::seconds kEventuallyTimeout{10};
#endif
#else
inline constexpr std::chrono::seconds kEventuallyTimeout{10};
#endif

// True as soon as `pred()` holds, polling every 10 ms; false if it still does not after `timeout` (it is asked
// once more at the end, so a slow last poll is not lost).
template <typename Pred>
bool Eventually(Pred pred, std::chrono::milliseconds timeout = kEventuallyTimeout) {
  const auto end = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < end) {
    if (pred()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return pred();
}

}  // namespace detect::test_support

#endif  // DETECT_TESTS_TESTING_EVENTUALLY_H_
