// RuleSetBuilder: reads rule files, compiles them, reports issues, and builds the immutable RuleSet.
#include "engine/compiler.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "engine/internal/compiled_rule.h"
#include "engine/internal/lookup_table.h"
#include "engine/compile/path_interner.h"
#include "engine/compile/rule_compiler.h"
#include "engine/compile/rule_set_version.h"
#include "engine/eval/root_projection.h"
#include "engine/internal/rule_dir_walk.h"
#include "engine/internal/rule_set_internals.h"
#include "engine/parse/lookup_table_reader.h"
#include "engine/parse/rule_parser.h"
#include "engine/internal/yaml_util.h"

namespace detect {

namespace {

using engine_internal::CompiledRule;

bool IsRuleFileName(const std::filesystem::path& p) {
  const std::string ext = p.extension().string();
  return ext == ".yml" || ext == ".yaml";
}

// Copies into each issue the line of its file it points at, for the caret display.
void AttachSourceLines(const std::vector<std::pair<std::string, std::string>>& files, std::vector<RuleIssue>& issues) {
  for (RuleIssue& issue : issues) {
    if (issue.location.line <= 0) continue;
    for (const auto& [name, text] : files) {
      if (name != issue.location.file) continue;
      size_t start = 0;
      for (int line = 1; line < issue.location.line && start != std::string::npos; ++line) {
        start = text.find('\n', start);
        if (start != std::string::npos) ++start;
      }
      if (start == std::string::npos || start >= text.size()) break;
      const size_t end = text.find('\n', start);
      issue.source_line = text.substr(start, end == std::string::npos ? std::string::npos : end - start);
      int line = 0, column = 0;
      // Not worth echoing a huge line, and never bytes that are not UTF-8 (reports are JSON and XML).
      if (issue.source_line.size() > 200 || !engine_internal::CheckYamlText(issue.source_line, 1 << 20, &line, &column).empty()) {
        issue.source_line.clear();
      }
      break;
    }
  }
}

}  // namespace

struct RuleSetBuilder::Impl {
  EngineOptions options;
  const std::atomic<bool>* cancel = nullptr;
  std::vector<std::pair<std::string, std::string>> files;  // name, text
  std::vector<RuleIssue> issues;
};

RuleSetBuilder::RuleSetBuilder(EngineOptions options) : impl_(std::make_unique<Impl>()) {
  impl_->options = std::move(options);
}
RuleSetBuilder::~RuleSetBuilder() = default;
RuleSetBuilder::RuleSetBuilder(RuleSetBuilder&&) noexcept = default;
RuleSetBuilder& RuleSetBuilder::operator=(RuleSetBuilder&&) noexcept = default;

bool CompileResult::IsValid() const {
  return std::none_of(issues_.begin(), issues_.end(),
                      [](const RuleIssue& i) { return i.severity == RuleIssue::Severity::kError; });
}

std::string CompileResult::FormatIssues() const {
  std::string out;
  for (const RuleIssue& i : issues_) absl::StrAppend(&out, i.ToStringWithSource(), "\n");
  return out;
}

void RuleSetBuilder::SetCancel(const std::atomic<bool>* cancel) { impl_->cancel = cancel; }

bool RuleSetBuilder::Cancelled() const {
  return impl_->cancel != nullptr && impl_->cancel->load(std::memory_order_relaxed);
}

void RuleSetBuilder::AddFile(std::string file_name, std::string text) {
  impl_->files.emplace_back(std::move(file_name), std::move(text));
}

absl::Status RuleSetBuilder::AddPath(const std::string& path) {
  namespace fs = std::filesystem;
  std::error_code ec;
  const fs::file_status st = fs::status(path, ec);
  if (ec || !fs::exists(st)) {  // ENOENT's own words, as every other tool prints for a missing file.
    return absl::NotFoundError(absl::StrCat("rules path ", path, ": ", std::strerror(ENOENT)));
  }
  std::vector<std::string> names;
  if (fs::is_directory(st)) {
    engine_internal::RuleDirWalkOptions walk;
    walk.cancel = impl_->cancel;
    absl::StatusOr<std::vector<std::string>> listed = engine_internal::ListRuleFiles(path, walk);
    if (!listed.ok()) return listed.status();
    names = *std::move(listed);
  } else {
    names.push_back(path);
  }
  for (const std::string& name : names) {
    if (Cancelled()) return absl::CancelledError("rule loading cancelled");
    const uintmax_t size = fs::file_size(name, ec);
    if (!ec && size > impl_->options.max_rule_file_bytes) {
      impl_->issues.push_back({RuleIssue::Severity::kError, {name, 0, 0},
                               absl::StrCat("rule file is ", size, " bytes, over max_rule_file_bytes ",
                                            impl_->options.max_rule_file_bytes)});
      continue;
    }
    std::ifstream in(name, std::ios::binary);
    if (!in) return absl::PermissionDeniedError(absl::StrCat("cannot read rule file ", name, ": ", std::strerror(errno)));
    std::stringstream buffer;
    buffer << in.rdbuf();
    AddFile(name, buffer.str());
  }
  return absl::OkStatus();
}

CompileResult RuleSetBuilder::Build(OnRuleError on_error) && {
  CompileResult result;
  const EngineOptions& options = impl_->options;
  std::vector<RuleIssue>& issues = impl_->issues;
  std::vector<engine_internal::ParsedFile> parsed;
  engine_internal::DataModels models;
  const auto cancelled = [&] {
    if (!Cancelled()) return false;
    result.issues_.push_back({RuleIssue::Severity::kError, {}, "rule loading cancelled"});
    return true;
  };
  for (auto& [name, text] : impl_->files) {
    if (cancelled()) return result;
    parsed.push_back(engine_internal::LoadYamlFile(name, text, options.max_rule_depth, &issues));
    const auto& file = parsed.back();
    if (file.ok && file.analysis_type == "datamodel") engine_internal::ParseDataModel(file, &models, &issues);
  }
  auto tables = std::make_unique<engine_internal::LookupTableSet>();
  std::string table_data;
  std::vector<std::unique_ptr<CompiledRule>> rules;
  engine_internal::ast::SourceFiles source_files;  // Names of the rule files, for the AST's locations.
  absl::flat_hash_map<std::string, SourceLocation> seen;
  for (const auto& file : parsed) {
    if (cancelled()) return result;
    if (!file.ok || file.analysis_type == "datamodel") continue;
    if (file.analysis_type == "lookup_table") {
      engine_internal::ParseLookupTableFile(file, options, tables.get(), &table_data, &issues);
      continue;
    }
    if (file.analysis_type != "rule" && file.analysis_type != "scheduled_rule") {
      issues.push_back({RuleIssue::Severity::kWarning, {file.name, 1, 1},
                        absl::StrCat("AnalysisType ", file.analysis_type, " is not a rule; skipped")});
      continue;
    }
    bool parsed_ok = false;
    auto ast = engine_internal::ParseRule(file, source_files.Add(file.name), options, models, &issues, &parsed_ok);
    if (ast == nullptr) continue;
    // Compiled even when parsing found errors, so that its regular expressions and networks are checked too.
    auto rule = engine_internal::CompileRule(*std::move(ast), options, source_files, &issues);
    if (rule == nullptr || !parsed_ok) continue;
    auto [it, inserted] = seen.try_emplace(rule->info.id, rule->info.location);
    if (!inserted) {
      issues.push_back({RuleIssue::Severity::kError, rule->info.location,
                        absl::StrCat("duplicate RuleID \"", rule->info.id, "\" (first defined at ",
                                     it->second.ToString(), ")")});
      continue;
    }
    rules.push_back(std::move(rule));
  }
  if (options.max_rules != 0 && rules.size() > options.max_rules) {
    issues.push_back({RuleIssue::Severity::kError, {},
                      absl::StrCat(rules.size(), " rules exceed max_rules ", options.max_rules)});
    rules.clear();
  }
  engine_internal::PathInterner slots(options.max_interned_path_segments);
  for (auto it = rules.begin(); it != rules.end();) {
    if (slots.Rule(**it)) {
      ++it;
      continue;
    }
    issues.push_back({RuleIssue::Severity::kError, (*it)->info.location,
                      absl::StrCat("with this rule the rule set's field paths have more than ",
                                   options.max_interned_path_segments,
                                   " distinct segments (max_interned_path_segments)")});
    it = rules.erase(it);
  }
  AttachSourceLines(impl_->files, issues);
  result.issues_ = std::move(issues);
  if (on_error == OnRuleError::kAbort && !result.IsValid()) return result;
  std::vector<std::pair<std::string, std::string>> files = impl_->files;
  std::sort(files.begin(), files.end());
  files.emplace_back("lookup table data", std::move(table_data));
  auto rep = std::make_unique<RuleSetInternals::Rep>(options, std::move(rules), std::move(tables),
                                                     slots.TakePrefixes(),
                                                     engine_internal::ComputeRuleSetVersion(files));
  std::vector<std::string> root_keys = slots.RootKeyList();
  if (root_keys.size() >= RuleSetInternals::Rep::kProjectRootKeys) {
    std::vector<engine_internal::RootKeys::Memo> memos;
    for (auto& m : slots.RootKeyMemos()) memos.push_back({m.slot, std::move(m.children)});
    rep->root_keys = std::make_unique<engine_internal::RootKeys>(std::move(root_keys), std::move(memos));
  }
  result.rule_set_ = RuleSetInternals::Make(std::move(rep));
  return result;
}

}  // namespace detect
