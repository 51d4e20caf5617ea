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
#include "engine/internal/root_projection.h"
#include "engine/internal/rule_parser.h"
#include "engine/internal/yaml_util.h"

namespace detect {

std::string ComputeRuleSetVersion(const std::vector<std::pair<std::string, std::string>>& files);

namespace {

using engine_internal::CompiledRule;
using engine_internal::Expr;
using engine_internal::FieldPath;
using engine_internal::PathStep;

bool IsRuleFileName(const std::filesystem::path& p) {
  const std::string ext = p.extension().string();
  return ext == ".yml" || ext == ".yaml";
}

// Gives every path read from the event root a memo slot shared by all paths with the same steps, so rules
// that read `user.username` look it up once per event.
class SlotInterner {
 public:
  void Path(FieldPath& p) {
    if (p.empty()) return;
    p.cache_slot = Slot(p.steps, p.steps.size());
    if (p.steps[0].kind == PathStep::kKey) p.root_slot = RootSlot(p.steps[0].key);
    size_t parent_len = p.steps.size() - 1;
    for (size_t i = 0; i < p.steps.size(); ++i) {
      if (p.steps[i].kind == PathStep::kWildcard) {
        parent_len = std::min(parent_len, i);
        break;
      }
    }
    if (parent_len >= 1) p.parent = Prefix(p.steps, parent_len);
  }
  // The distinct top-level keys the rules read.
  std::vector<std::string> RootKeyList() const {
    std::vector<std::string> keys(root_slots_.size());
    for (const auto& [key, slot] : root_slots_) keys[static_cast<size_t>(slot)] = key;
    return keys;
  }
  // The interned prefixes, owned by the RuleSet once built.
  std::vector<std::unique_ptr<FieldPath>> TakePrefixes() { return std::move(prefixes_); }
  // Paths inside comprehension Expressions are relative to elements and are not memoized.
  void Exprs(std::vector<Expr>& exprs) {
    for (Expr& e : exprs) {
      Path(e.path);
      Path(e.other_path);
      if (!engine_internal::IsComprehension(e.op)) Exprs(e.children);
    }
  }
  void Rule(CompiledRule& r) {
    Exprs(r.inline_filters);
    Exprs(r.detection);
    for (auto& v : r.titles) {
      Exprs(v.conditions);
      for (auto& part : v.value.parts) Path(part.path);
    }
    for (auto& v : r.dedups) {
      Exprs(v.conditions);
      for (auto& part : v.value.parts) Path(part.path);
    }
    for (auto& v : r.dynamic_severities) Exprs(v.conditions);
    for (auto& p : r.group_by) Path(p);
    for (auto& [name, p] : r.alert_context) Path(p);
    for (auto& p : r.summary_paths) Path(p);
    for (auto& f : r.alert_fields) Path(f.list);  // Element templates and filters are relative: not memoized.
  }

 private:
  static std::string Key(const std::vector<PathStep>& steps, size_t n) {
    std::string key;
    for (size_t i = 0; i < n; ++i) {
      const PathStep& s = steps[i];
      absl::StrAppend(&key, static_cast<int>(s.kind), ":", s.kind == PathStep::kIndex ? std::to_string(s.index) : s.key,
                      "\x1f");
    }
    return key;
  }
  int RootSlot(const std::string& key) {
    return root_slots_.try_emplace(key, static_cast<int>(root_slots_.size())).first->second;
  }
  int Slot(const std::vector<PathStep>& steps, size_t n) {
    return slots_.try_emplace(Key(steps, n), static_cast<int>(slots_.size())).first->second;
  }
  const FieldPath* Prefix(const std::vector<PathStep>& steps, size_t n) {
    const std::string key = Key(steps, n);
    if (auto it = prefix_by_key_.find(key); it != prefix_by_key_.end()) return it->second;
    auto prefix = std::make_unique<FieldPath>();
    prefix->steps.assign(steps.begin(), steps.begin() + n);
    for (const PathStep& s : prefix->steps) {
      absl::StrAppend(&prefix->text, prefix->text.empty() ? "" : ".",
                      s.kind == PathStep::kIndex ? std::to_string(s.index) : s.key);
    }
    prefix->cache_slot = Slot(steps, n);
    if (prefix->steps[0].kind == PathStep::kKey) prefix->root_slot = RootSlot(prefix->steps[0].key);
    if (n > 1) prefix->parent = Prefix(steps, n - 1);  // Inserts into the map: no iterator kept across it.
    const FieldPath* interned = prefix.get();
    prefixes_.push_back(std::move(prefix));
    prefix_by_key_.emplace(key, interned);
    return interned;
  }

  absl::flat_hash_map<std::string, int> slots_;
  absl::flat_hash_map<std::string, int> root_slots_;  // Top-level key -> its slot, numbered as first seen.
  absl::flat_hash_map<std::string, const FieldPath*> prefix_by_key_;
  std::vector<std::unique_ptr<FieldPath>> prefixes_;
};

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
    fs::recursive_directory_iterator it(path, fs::directory_options::follow_directory_symlink, ec), end;
    if (ec) return absl::PermissionDeniedError(absl::StrCat("cannot read rules directory ", path, ": ", ec.message()));
    for (; it != end; it.increment(ec)) {
      if (ec) return absl::UnavailableError(absl::StrCat("cannot list ", path, ": ", ec.message()));
      const std::string name = it->path().filename().string();
      if (!name.empty() && name[0] == '.') {  // Hidden, and Kubernetes ConfigMap's ..data / ..<timestamp>.
        if (it->is_directory(ec)) it.disable_recursion_pending();
        continue;
      }
      if (it->is_regular_file(ec) && IsRuleFileName(it->path())) names.push_back(it->path().string());
    }
    std::sort(names.begin(), names.end());
  } else {
    names.push_back(path);
  }
  for (const std::string& name : names) {
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
  for (auto& [name, text] : impl_->files) {
    parsed.push_back(engine_internal::LoadYamlFile(name, text, options.max_rule_depth, &issues));
    const auto& file = parsed.back();
    if (file.ok && file.analysis_type == "datamodel") engine_internal::ParseDataModel(file, options, &models, &issues);
  }
  auto tables = std::make_unique<engine_internal::LookupTableSet>();
  std::string table_data;
  std::vector<std::unique_ptr<CompiledRule>> rules;
  absl::flat_hash_map<std::string, SourceLocation> seen;
  for (const auto& file : parsed) {
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
    auto rule = engine_internal::ParseRule(file, options, models, &issues);
    if (rule == nullptr) continue;
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
  AttachSourceLines(impl_->files, issues);
  result.issues_ = std::move(issues);
  if (on_error == OnRuleError::kAbort && !result.IsValid()) return result;
  SlotInterner slots;
  for (auto& r : rules) slots.Rule(*r);
  std::vector<std::pair<std::string, std::string>> files = impl_->files;
  std::sort(files.begin(), files.end());
  files.emplace_back("lookup table data", std::move(table_data));
  auto* rule_set = new RuleSet(options, std::move(rules), std::move(tables), slots.TakePrefixes(),
                               ComputeRuleSetVersion(files));
  std::vector<std::string> root_keys = slots.RootKeyList();
  if (root_keys.size() >= RuleSet::kProjectRootKeys) {
    rule_set->root_keys_ = std::make_unique<engine_internal::RootKeys>(std::move(root_keys));
  }
  result.rule_set_ = std::shared_ptr<const RuleSet>(rule_set);
  return result;
}

}  // namespace detect
