// FieldReader: typed reads of YAML mapping fields with issues at file:line:col.
#include "engine/parse/field_reader.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "engine/internal/literal.h"
#include "engine/internal/yaml_util.h"

namespace detect::engine_internal {

void FieldReader::Issue(const YAML::Node& node, std::string message, RuleIssue::Severity severity) {
  if (severity == RuleIssue::Severity::kError) ok_ = false;
  issues_->push_back({severity, LocationOf(node, file_), std::move(message)});
}

bool FieldReader::String(const YAML::Node& root, const char* key, std::string* out, bool required) {
  const YAML::Node n = root[key];
  if (!n || n.IsNull()) {
    if (required) Issue(root, absl::StrCat("missing required key ", key));
    return false;
  }
  if (!n.IsScalar()) {
    Issue(n, absl::StrCat(key, " must be a string"));
    return false;
  }
  *out = n.Scalar();
  return true;
}

void FieldReader::Bool(const YAML::Node& root, const char* key, bool* out) {
  const YAML::Node n = root[key];
  if (!n) return;
  const Literal lit = n.IsScalar() ? ScalarToLiteral(n) : Literal();
  if (lit.kind != ValueKind::kBool) {
    Issue(n, absl::StrCat(key, " must be true or false"));
    return;
  }
  *out = lit.b;
}

void FieldReader::Int(const YAML::Node& root, const char* key, int min, int* out) {
  const YAML::Node n = root[key];
  if (!n) return;
  const Literal lit = n.IsScalar() ? ScalarToLiteral(n) : Literal();
  if (lit.kind != ValueKind::kInt || lit.i < min || lit.i > (1 << 30)) {
    Issue(n, absl::StrCat(key, " must be an integer >= ", min));
    return;
  }
  *out = static_cast<int>(lit.i);
}

void FieldReader::StringList(const YAML::Node& root, const char* key, std::vector<std::string>* out) {
  const YAML::Node n = root[key];
  if (!n || n.IsNull()) return;
  if (!n.IsSequence()) {
    Issue(n, absl::StrCat(key, " must be a list of strings"));
    return;
  }
  for (const YAML::Node& e : n) {
    if (!e.IsScalar()) {
      Issue(e, absl::StrCat(key, " entries must be strings"));
      continue;
    }
    out->push_back(e.Scalar());
  }
}

}  // namespace detect::engine_internal
