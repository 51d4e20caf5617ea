// Compile beside, validate, swap.
#include "server/rule_store.h"

#include <optional>
#include <utility>

#include "absl/time/clock.h"
#include "engine/compiler.h"
#include "server/log.h"

namespace detect::server {

RuleStore::RuleStore(RuleStoreOptions options, Metrics* metrics)
    : options_(std::move(options)), metrics_(metrics) {}

std::shared_ptr<const RuleSet> RuleStore::Current() const {
  absl::ReaderMutexLock lock(&mu_);
  return current_;
}

absl::Time RuleStore::loaded_at() const {
  absl::ReaderMutexLock lock(&mu_);
  return loaded_at_;
}

absl::StatusOr<ReloadOutcome> RuleStore::Reload(absl::string_view reason) {
  absl::MutexLock reload_lock(&reload_mu_);
  const absl::Time start = absl::Now();
  auto record = [this](ReloadOutcome outcome) {
    if (metrics_ != nullptr) metrics_->RecordReload(outcome);
  };
  if (cancel_.load(std::memory_order_relaxed)) return absl::CancelledError("reloads cancelled: shutting down");
  if (reason != "startup") Log(LogLevel::kInfo, "reloading rules", {{"reason", reason}});
  RuleSetBuilder builder(options_.engine);
  builder.SetCancel(&cancel_);
  absl::Status io = builder.AddPath(options_.rules_path);
  if (io.ok() && !options_.lookup_tables_path.empty()) io = builder.AddPath(options_.lookup_tables_path);
  if (!io.ok()) {
    Log(LogLevel::kError, "rule load failed", {{"reason", reason}, {"path", options_.rules_path},
                                                {"error", io.ToString()}});
    record(ReloadOutcome::kError);
    return io;
  }
  CompileResult result = std::move(builder).Build(OnRuleError::kAbort);
  if (cancel_.load(std::memory_order_relaxed)) {
    Log(LogLevel::kInfo, "rule reload cancelled: shutting down", {{"reason", reason}});
    record(ReloadOutcome::kError);
    return absl::CancelledError("reload cancelled: shutting down");
  }
  if (!result.IsValid() || result.rule_set() == nullptr) {
    const std::string issues = result.FormatIssues();
    Log(LogLevel::kError, "rule set rejected; the serving rule set stays",
        {{"reason", reason}, {"path", options_.rules_path}, {"issues", issues}});
    record(ReloadOutcome::kRejected);
    return absl::InvalidArgumentError(issues.empty() ? "rule set rejected" : issues);
  }
  if (!result.issues().empty()) {
    Log(LogLevel::kWarning, "rule warnings", {{"path", options_.rules_path}, {"issues", result.FormatIssues()}});
  }
  std::shared_ptr<const RuleSet> next = result.ReleaseRuleSet();
  // reload_mu_ is held, so the serving set cannot change between this check and the swap below.
  const std::shared_ptr<const RuleSet> serving = Current();
  const std::optional<size_t> serving_rules =
      serving != nullptr ? std::optional<size_t>(serving->size()) : std::nullopt;
  if (absl::Status guard = CheckRuleCount(serving_rules, next->size(), options_.guard); !guard.ok()) {
    Log(LogLevel::kError, "rule set rejected; the serving rule set stays",
        {{"reason", reason}, {"path", options_.rules_path}, {"rules", next->size()},
         {"serving_rules", serving_rules.value_or(0)}, {"error", guard.message()}});
    record(ReloadOutcome::kRejected);
    return guard;
  }
  std::shared_ptr<const RuleSet> previous;
  const absl::Time now = absl::Now();
  {
    absl::MutexLock lock(&mu_);
    if (current_ != nullptr && current_->version() == next->version()) {
      record(ReloadOutcome::kUnchanged);
      Log(LogLevel::kInfo, "rules unchanged", {{"reason", reason}, {"version", next->version()}});
      return ReloadOutcome::kUnchanged;
    }
    previous = std::move(current_);
    current_ = next;
    loaded_at_ = now;
  }
  // `previous` is released here, outside the lock; calls still holding it keep it alive until they end.
  if (metrics_ != nullptr) metrics_->SetRuleSet(next->version(), next->size(), now);
  record(ReloadOutcome::kSuccess);
  Log(LogLevel::kInfo, "rules loaded",
      {{"reason", reason}, {"path", options_.rules_path}, {"rules", next->size()}, {"version", next->version()},
       {"previous_version", previous != nullptr ? previous->version() : std::string()},
       {"compile_ms", absl::ToDoubleMilliseconds(absl::Now() - start)}});
  if (next->size() == 0) {
    Log(LogLevel::kWarning, "the rule set is empty (--allow_empty_rules): every detection is off",
        {{"path", options_.rules_path}});
  }
  return ReloadOutcome::kSuccess;
}

}  // namespace detect::server
