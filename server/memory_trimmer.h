// MemoryTrimmer: gives memory the allocator keeps but no longer uses back to the system. After a burst (a
// rapid-reset flood makes gRPC hold tens of thousands of calls for a moment, ~10 KB each) glibc keeps the
// freed pages in its arenas, so RSS stays at the burst's peak for good; every interval the trimmer checks how
// much the arenas hold free and, beyond a threshold, calls malloc_trim(0), which returns free pages anywhere
// in the heap.
#ifndef DETECT_SERVER_MEMORY_TRIMMER_H_
#define DETECT_SERVER_MEMORY_TRIMMER_H_

#include <cstdint>
#include <memory>
#include <thread>

#include "absl/synchronization/notification.h"
#include "absl/time/time.h"

namespace detect::server {

// Thread-safe. Owns one thread, started by the constructor and joined by the destructor.
class MemoryTrimmer {
 public:
  MemoryTrimmer(absl::Duration interval, int64_t free_threshold_bytes);
  ~MemoryTrimmer();
  MemoryTrimmer(const MemoryTrimmer&) = delete;
  MemoryTrimmer& operator=(const MemoryTrimmer&) = delete;

  // Trims now if the arenas hold more than `free_threshold_bytes` free; returns the free bytes seen.
  static int64_t TrimIfWorthIt(int64_t free_threshold_bytes);

 private:
  absl::Notification stop_;
  std::thread thread_;
};

}  // namespace detect::server

#endif  // DETECT_SERVER_MEMORY_TRIMMER_H_
