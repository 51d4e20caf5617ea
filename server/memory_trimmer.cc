// Periodic malloc_trim: see memory_trimmer.h. glibc only (Debian's); elsewhere the trimmer does nothing.
#include "server/memory_trimmer.h"

#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace detect::server {

MemoryTrimmer::MemoryTrimmer(absl::Duration interval, int64_t free_threshold_bytes)
    : thread_([this, interval, free_threshold_bytes] {
        while (!stop_.WaitForNotificationWithTimeout(interval)) TrimIfWorthIt(free_threshold_bytes);
      }) {}

MemoryTrimmer::~MemoryTrimmer() {
  stop_.Notify();
  thread_.join();
}

int64_t MemoryTrimmer::TrimIfWorthIt(int64_t free_threshold_bytes) {
#if defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 33))
  const struct mallinfo2 info = ::mallinfo2();
  const int64_t free_bytes = static_cast<int64_t>(info.fordblks);  // Free bytes in all arenas.
  if (free_bytes > free_threshold_bytes) ::malloc_trim(0);
  return free_bytes;
#else
  (void)free_threshold_bytes;
  return 0;
#endif
}

}  // namespace detect::server
