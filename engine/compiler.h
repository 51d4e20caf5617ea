// Rule loading and compilation: Panther-format YAML files in, an immutable RuleSet (or a list of issues with
// file:line:col) out. Compile once, evaluate many.
#ifndef DETECT_ENGINE_COMPILER_H_
#define DETECT_ENGINE_COMPILER_H_

#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "engine/options.h"
#include "engine/rule_set.h"
#include "engine/source_location.h"

namespace detect {

// What Build() produced: the rule set (when it could be built) and every issue found on the way.
class CompileResult {
 public:
  // True when no issue is an error (warnings allowed).
  bool IsValid() const;
  const std::vector<RuleIssue>& issues() const { return issues_; }
  // One line per issue: "ERROR: file:line:col: message".
  std::string FormatIssues() const;
  // The rule set; null when errors aborted the build. Rules skipped for errors are not in it.
  std::shared_ptr<const RuleSet> ReleaseRuleSet() { return std::move(rule_set_); }
  const RuleSet* rule_set() const { return rule_set_.get(); }

 private:
  friend class RuleSetBuilder;
  std::vector<RuleIssue> issues_;
  std::shared_ptr<const RuleSet> rule_set_;
};

// How Build() treats rules with errors.
enum class OnRuleError {
  kAbort,  // Any error: no rule set (the server's default: never serve a partial pack by accident).
  kSkip,   // Leave the bad rules out, keep the good ones, report the errors.
};

// Collects rule files, then compiles them. Move-only; thread-compatible.
class RuleSetBuilder {
 public:
  explicit RuleSetBuilder(EngineOptions options = EngineOptions());
  ~RuleSetBuilder();
  RuleSetBuilder(RuleSetBuilder&&) noexcept;
  RuleSetBuilder& operator=(RuleSetBuilder&&) noexcept;

  // Adds a rule file, or every *.yml/*.yaml file below a directory (sorted, hidden entries skipped; directory
  // symlinks followed, loops refused, at most 32 levels and 10,000 directories: internal/rule_dir_walk.h). Only
  // I/O and directory-shape failures are errors here; problems inside files become issues of Build().
  absl::Status AddPath(const std::string& path);
  // Adds one file's text; `file_name` is used in issue locations.
  void AddFile(std::string file_name, std::string text);
  // While `*cancel` is true (it may be set from another thread, e.g. at shutdown), AddPath returns
  // CancelledError and Build() stops at the next file or rule with a "rule loading cancelled" error and no rule
  // set. Null (the default): never cancelled. `cancel` must outlive the builder.
  void SetCancel(const std::atomic<bool>* cancel);

  CompileResult Build(OnRuleError on_error = OnRuleError::kAbort) &&;

 private:
  struct Impl;
  bool Cancelled() const;
  std::unique_ptr<Impl> impl_;
};

}  // namespace detect

#endif  // DETECT_ENGINE_COMPILER_H_
