// Depth-first walk with the (device, inode) of every directory on the current path (loops) and of every
// directory walked (a second route to one is skipped).
#include "engine/internal/rule_dir_walk.h"

#include <dirent.h>
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <set>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace detect::engine_internal {
namespace {

using DirId = std::pair<dev_t, ino_t>;

class Walker {
 public:
  explicit Walker(const RuleDirWalkOptions& options) : options_(options) {}

  absl::Status Walk(const std::string& dir, const struct stat& st, int depth) {
    if (options_.cancel != nullptr && options_.cancel->load(std::memory_order_relaxed)) {
      return absl::CancelledError("rule loading cancelled");
    }
    const DirId id{st.st_dev, st.st_ino};
    for (const auto& [ancestor_id, ancestor_path] : path_) {
      if (ancestor_id == id) {
        return absl::FailedPreconditionError(absl::StrCat("rules directory has a symlink loop: ", dir,
                                                          " is the directory ", ancestor_path, " again"));
      }
    }
    if (!walked_.insert(id).second) return absl::OkStatus();  // Reached before by another link: walked once.
    if (depth > options_.max_depth) {
      return absl::FailedPreconditionError(absl::StrCat("rules directory nested deeper than ", options_.max_depth,
                                                        " directories at ", dir));
    }
    if (walked_.size() > options_.max_dirs) {
      return absl::FailedPreconditionError(absl::StrCat("rules directory has more than ", options_.max_dirs,
                                                        " directories (at ", dir, ")"));
    }
    std::vector<std::string> names;
    if (absl::Status s = ReadNames(dir, depth, &names); !s.ok()) return s;
    path_.emplace_back(id, dir);
    for (const std::string& name : names) {
      const std::string child = absl::StrCat(dir, "/", name);
      struct stat child_st;
      if (::stat(child.c_str(), &child_st) != 0) continue;  // A dangling link, or gone meanwhile.
      if (S_ISDIR(child_st.st_mode)) {
        if (absl::Status s = Walk(child, child_st, depth + 1); !s.ok()) return s;
      } else if (S_ISREG(child_st.st_mode) && (absl::EndsWith(name, ".yml") || absl::EndsWith(name, ".yaml"))) {
        files_.push_back(child);
      }
    }
    path_.pop_back();
    return absl::OkStatus();
  }

  std::vector<std::string> TakeFiles() {
    std::sort(files_.begin(), files_.end());
    return std::move(files_);
  }

 private:
  // The directory's entries, hidden ones left out.
  static absl::Status ReadNames(const std::string& dir, int depth, std::vector<std::string>* names) {
    DIR* d = ::opendir(dir.c_str());
    if (d == nullptr) {
      const std::string why = std::strerror(errno);
      if (depth == 0) return absl::PermissionDeniedError(absl::StrCat("cannot read rules directory ", dir, ": ", why));
      return absl::UnavailableError(absl::StrCat("cannot list ", dir, ": ", why));
    }
    while (const dirent* e = ::readdir(d)) {
      if (e->d_name[0] != '.') names->emplace_back(e->d_name);
    }
    ::closedir(d);
    return absl::OkStatus();
  }

  const RuleDirWalkOptions& options_;
  std::vector<std::pair<DirId, std::string>> path_;  // The directories being walked, root first.
  std::set<DirId> walked_;
  std::vector<std::string> files_;
};

}  // namespace

absl::StatusOr<std::vector<std::string>> ListRuleFiles(const std::string& root, const RuleDirWalkOptions& options) {
  struct stat st;
  if (::stat(root.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
    return absl::NotFoundError(absl::StrCat("rules directory ", root, " does not exist"));
  }
  std::string dir = root;
  while (dir.size() > 1 && dir.back() == '/') dir.pop_back();  // "rules/" lists as "rules/x.yml".
  Walker walker(options);
  if (absl::Status s = walker.Walk(dir, st, 0); !s.ok()) return s;
  return walker.TakeFiles();
}

}  // namespace detect::engine_internal
