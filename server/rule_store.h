// RuleStore: owns the serving rule set. A reload compiles the rule files beside the serving set and swaps
// the pointer only when the new set has no errors; calls take a shared_ptr at their start, so in-flight calls
// finish on the set they started with and the old set is freed when its last call ends.
#ifndef DETECT_SERVER_RULE_STORE_H_
#define DETECT_SERVER_RULE_STORE_H_

#include <atomic>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "engine/options.h"
#include "engine/rule_set.h"
#include "server/metrics.h"
#include "server/rule_guard.h"

namespace detect::server {

struct RuleStoreOptions {
  std::string rules_path;  // A directory (searched recursively for *.yml / *.yaml) or one rule file.
  EngineOptions engine;
  // --lookup_tables: a further directory (or file) of lookup-table definitions (AnalysisType: lookup_table)
  // and their data, compiled with the rules; empty: only what the rules path holds.
  std::string lookup_tables_path;
  // Refuses an empty set, or one dropping too many of the serving rules (see rule_guard.h).
  RuleGuardOptions guard;
};

// Thread-safe. Reloads are serialized (one compile at a time); Current() never waits for a compile.
class RuleStore {
 public:
  // `metrics` may be null; it must outlive the store.
  RuleStore(RuleStoreOptions options, Metrics* metrics);

  // Compiles the rules and, if they have no errors, makes them the serving set. kUnchanged when the new set
  // has the serving set's version (nothing swapped). InvalidArgument listing every issue (file:line:col)
  // when a rule has an error, and the serving set stays; FailedPrecondition (counted as rejected) when the
  // set is empty or drops too many rules (options().guard); other errors are I/O failures. `reason` is logged.
  absl::StatusOr<ReloadOutcome> Reload(absl::string_view reason) ABSL_LOCKS_EXCLUDED(reload_mu_, mu_);

  // The serving set (null before the first successful load). Callers keep it for the whole call.
  std::shared_ptr<const RuleSet> Current() const ABSL_LOCKS_EXCLUDED(mu_);
  absl::Time loaded_at() const ABSL_LOCKS_EXCLUDED(mu_);
  const RuleStoreOptions& options() const { return options_; }
  // Makes a running reload stop at its next directory, file or rule, and every later one return Cancelled at
  // once (shutdown: nothing waits on a compile). Not undone.
  void CancelReloads() { cancel_.store(true, std::memory_order_relaxed); }

 private:
  const RuleStoreOptions options_;
  Metrics* const metrics_;
  std::atomic<bool> cancel_{false};
  absl::Mutex reload_mu_ ABSL_ACQUIRED_BEFORE(mu_);
  mutable absl::Mutex mu_;
  std::shared_ptr<const RuleSet> current_ ABSL_GUARDED_BY(mu_);
  absl::Time loaded_at_ ABSL_GUARDED_BY(mu_) = absl::UnixEpoch();
};

}  // namespace detect::server

#endif  // DETECT_SERVER_RULE_STORE_H_
