// ThreadSanitizer support for Debian's abseil: makes absl::Mutex, absl::CondVar and absl::Notification
// visible to TSan. Debian's libabsl_synchronization is not built with TSan, so TSan never sees its lock and
// unlock, and reports every access guarded by an absl::Mutex (ours and gRPC's, whose gpr_mu/grpc_core::Mutex
// are absl::Mutex) as a race. Suppressing those would hide real races in our own frames.
//
// scripts/sanitizers.sh tsan compiles this file and links it into every executable of the TSan build, with
// its symbols exported (-Wl,--export-dynamic-symbol): its definitions of the lock functions below then take
// precedence over the library's for every caller, gRPC included (ELF interposition). They forward to the real
// ones (dlsym RTLD_NEXT) and tell TSan about the happens-before edges they create: __tsan_release before a
// release, __tsan_acquire after an acquisition, on the mutex's address. (Not LD_PRELOAD: python3's grpcio
// carries its own abseil, which the preloaded definitions would capture.)
//
// Checked on a control program whose two threads share data only under an absl::Mutex or after an
// absl::Notification: 2 reports without this file, none with it; with one unguarded increment added, that
// race is still reported with it.
//
// Modelled as acquire/release, not as TSan mutexes: no ownership or lock-order checks (absl's own deadlock
// detector still runs), and readers get edges from each other (a write under a reader lock is not caught).
#include <dlfcn.h>

#include <cstdio>
#include <cstdlib>
#include <string>

#include "absl/base/config.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "absl/time/time.h"

extern "C" void __tsan_acquire(void* addr) __attribute__((weak));
extern "C" void __tsan_release(void* addr) __attribute__((weak));

namespace {

#define DETECT_STR2(x) #x
#define DETECT_STR(x) DETECT_STR2(x)

// The Itanium mangled name of absl::<inline namespace>::<rest>, e.g. Mangled("5Mutex4LockEv").
std::string Mangled(const char* rest, bool is_const = false) {
  const std::string ns = DETECT_STR(ABSL_OPTION_INLINE_NAMESPACE_NAME);
  return std::string(is_const ? "_ZNK4absl" : "_ZN4absl") + std::to_string(ns.size()) + ns + rest;
}

template <typename Fn>
Fn Real(const char* rest, bool is_const = false) {
  const std::string name = Mangled(rest, is_const);
  void* p = dlsym(RTLD_NEXT, name.c_str());
  if (p == nullptr) {
    std::fprintf(stderr, "tsan_absl_mutex: %s not found\n", name.c_str());
    std::abort();
  }
  return reinterpret_cast<Fn>(p);
}

void Acquire(const void* mu) {
  if (__tsan_acquire != nullptr) __tsan_acquire(const_cast<void*>(mu));
}
void Release(const void* mu) {
  if (__tsan_release != nullptr) __tsan_release(const_cast<void*>(mu));
}

// absl evaluates a Condition with the mutex held but inside its own, uninstrumented code: in the waiting thread
// after it has taken the lock back (before our Acquire after the call), or in a thread that is releasing the
// lock. Without an edge there, every read of guarded state in a condition lambda is reported as a race. The
// wrapper annotates an acquisition before the condition runs and a release after it (absl may drop the lock
// internally right after, unannotated); sound because absl only evaluates a condition while the mutex is held.
class GuardedCondition {
 public:
  GuardedCondition(const absl::Mutex* mu, const absl::Condition& cond)
      : mu_(mu), cond_(&cond), wrapped_(&GuardedCondition::Eval, this) {}
  GuardedCondition(const GuardedCondition&) = delete;
  GuardedCondition& operator=(const GuardedCondition&) = delete;
  const absl::Condition& get() const { return wrapped_; }

 private:
  static bool Eval(GuardedCondition* g) {
    Acquire(g->mu_);
    const bool result = g->cond_->Eval();
    Release(g->mu_);  // absl may then release the lock internally (a waiter going back to sleep): publish the reads.
    return result;
  }
  const absl::Mutex* mu_;
  const absl::Condition* cond_;
  absl::Condition wrapped_;
};

}  // namespace

namespace absl {
ABSL_NAMESPACE_BEGIN

// Acquisitions: annotate after the real call returns holding the lock.
void Mutex::Lock() {
  static const auto real = Real<void (*)(Mutex*)>("5Mutex4LockEv");
  real(this);
  Acquire(this);
}
void Mutex::ReaderLock() {
  static const auto real = Real<void (*)(Mutex*)>("5Mutex10ReaderLockEv");
  real(this);
  Acquire(this);
}
bool Mutex::TryLock() {
  static const auto real = Real<bool (*)(Mutex*)>("5Mutex7TryLockEv");
  const bool locked = real(this);
  if (locked) Acquire(this);
  return locked;
}
bool Mutex::ReaderTryLock() {
  static const auto real = Real<bool (*)(Mutex*)>("5Mutex13ReaderTryLockEv");
  const bool locked = real(this);
  if (locked) Acquire(this);
  return locked;
}
void Mutex::LockWhen(const Condition& cond) {
  static const auto real = Real<void (*)(Mutex*, const Condition&)>("5Mutex8LockWhenERKNS0_9ConditionE");
  real(this, GuardedCondition(this, cond).get());
  Acquire(this);
}
void Mutex::ReaderLockWhen(const Condition& cond) {
  static const auto real = Real<void (*)(Mutex*, const Condition&)>("5Mutex14ReaderLockWhenERKNS0_9ConditionE");
  real(this, GuardedCondition(this, cond).get());
  Acquire(this);
}
// The *WithTimeout/*WithDeadline forms hold the lock on return whatever they return.
bool Mutex::LockWhenWithTimeout(const Condition& cond, Duration timeout) {
  static const auto real =
      Real<bool (*)(Mutex*, const Condition&, Duration)>("5Mutex19LockWhenWithTimeoutERKNS0_9ConditionENS0_8DurationE");
  const bool r = real(this, GuardedCondition(this, cond).get(), timeout);
  Acquire(this);
  return r;
}
bool Mutex::ReaderLockWhenWithTimeout(const Condition& cond, Duration timeout) {
  static const auto real = Real<bool (*)(Mutex*, const Condition&, Duration)>(
      "5Mutex25ReaderLockWhenWithTimeoutERKNS0_9ConditionENS0_8DurationE");
  const bool r = real(this, GuardedCondition(this, cond).get(), timeout);
  Acquire(this);
  return r;
}
bool Mutex::LockWhenWithDeadline(const Condition& cond, Time deadline) {
  static const auto real =
      Real<bool (*)(Mutex*, const Condition&, Time)>("5Mutex20LockWhenWithDeadlineERKNS0_9ConditionENS0_4TimeE");
  const bool r = real(this, GuardedCondition(this, cond).get(), deadline);
  Acquire(this);
  return r;
}
bool Mutex::ReaderLockWhenWithDeadline(const Condition& cond, Time deadline) {
  static const auto real = Real<bool (*)(Mutex*, const Condition&, Time)>(
      "5Mutex26ReaderLockWhenWithDeadlineERKNS0_9ConditionENS0_4TimeE");
  const bool r = real(this, GuardedCondition(this, cond).get(), deadline);
  Acquire(this);
  return r;
}

// Releases: annotate before the real call, while the lock is still held.
void Mutex::Unlock() {
  static const auto real = Real<void (*)(Mutex*)>("5Mutex6UnlockEv");
  Release(this);
  real(this);
}
void Mutex::ReaderUnlock() {
  static const auto real = Real<void (*)(Mutex*)>("5Mutex12ReaderUnlockEv");
  Release(this);
  real(this);
}

// Waits release the lock and take it back before returning.
void Mutex::Await(const Condition& cond) {
  static const auto real = Real<void (*)(Mutex*, const Condition&)>("5Mutex5AwaitERKNS0_9ConditionE");
  Release(this);
  real(this, GuardedCondition(this, cond).get());
  Acquire(this);
}
bool Mutex::AwaitWithTimeout(const Condition& cond, Duration timeout) {
  static const auto real =
      Real<bool (*)(Mutex*, const Condition&, Duration)>("5Mutex16AwaitWithTimeoutERKNS0_9ConditionENS0_8DurationE");
  Release(this);
  const bool r = real(this, GuardedCondition(this, cond).get(), timeout);
  Acquire(this);
  return r;
}
bool Mutex::AwaitWithDeadline(const Condition& cond, Time deadline) {
  static const auto real =
      Real<bool (*)(Mutex*, const Condition&, Time)>("5Mutex17AwaitWithDeadlineERKNS0_9ConditionENS0_4TimeE");
  Release(this);
  const bool r = real(this, GuardedCondition(this, cond).get(), deadline);
  Acquire(this);
  return r;
}
void CondVar::Wait(Mutex* mu) {
  static const auto real = Real<void (*)(CondVar*, Mutex*)>("7CondVar4WaitEPNS0_5MutexE");
  Release(mu);
  real(this, mu);
  Acquire(mu);
}
bool CondVar::WaitWithTimeout(Mutex* mu, Duration timeout) {
  static const auto real =
      Real<bool (*)(CondVar*, Mutex*, Duration)>("7CondVar15WaitWithTimeoutEPNS0_5MutexENS0_8DurationE");
  Release(mu);
  const bool r = real(this, mu, timeout);
  Acquire(mu);
  return r;
}
bool CondVar::WaitWithDeadline(Mutex* mu, Time deadline) {
  static const auto real =
      Real<bool (*)(CondVar*, Mutex*, Time)>("7CondVar16WaitWithDeadlineEPNS0_5MutexENS0_4TimeE");
  Release(mu);
  const bool r = real(this, mu, deadline);
  Acquire(mu);
  return r;
}

// Notification: Notify() happens before every wait that sees it, and before every HasBeenNotified() that
// returns true: that one is inline (an acquire load of notified_yet_, the member after mutex_), so the release
// is also made on that member's address.
static_assert(sizeof(Notification) == 2 * sizeof(Mutex), "Notification is {Mutex mutex_; atomic<bool> notified_yet_;}");
void Notification::Notify() {
  static const auto real = Real<void (*)(Notification*)>("12Notification6NotifyEv");
  Release(this);
  Release(reinterpret_cast<const char*>(this) + sizeof(Mutex));
  real(this);
}
void Notification::WaitForNotification() const {
  static const auto real = Real<void (*)(const Notification*)>("12Notification19WaitForNotificationEv", true);
  real(this);
  Acquire(this);
}
bool Notification::WaitForNotificationWithTimeout(Duration timeout) const {
  static const auto real = Real<bool (*)(const Notification*, Duration)>(
      "12Notification30WaitForNotificationWithTimeoutENS0_8DurationE", true);
  const bool notified = real(this, timeout);
  if (notified) Acquire(this);
  return notified;
}
bool Notification::WaitForNotificationWithDeadline(Time deadline) const {
  static const auto real = Real<bool (*)(const Notification*, Time)>(
      "12Notification31WaitForNotificationWithDeadlineENS0_4TimeE", true);
  const bool notified = real(this, deadline);
  if (notified) Acquire(this);
  return notified;
}

ABSL_NAMESPACE_END
}  // namespace absl
