// Parsing of the path notations rules use, and the walk of a compiled path over an event.
#include "engine/internal/field_path.h"

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "engine/eval/eval_state.h"

namespace detect::engine_internal {
namespace {

void AddKeyOrIndex(absl::string_view segment, FieldPath& path) {
  PathStep step;
  step.kind = PathStep::kKey;
  step.key = std::string(segment);
  path.steps.push_back(std::move(step));
}

// Walks steps[i..] from v, appending results under a wildcard into `out` (flattening).
void Collect(const FieldPath& path, size_t i, const Value& v, EvalState& scratch, std::vector<Value>* out);

Value Walk(const FieldPath& path, size_t i, Value cur, EvalState& scratch) {
  for (; i < path.steps.size(); ++i) {
    const PathStep& step = path.steps[i];
    switch (step.kind) {
      case PathStep::kKey:
        // `a.0` addresses list element 0 as deep_get does with an int key, and key "0" of an object.
        if (cur.is_list()) {
          int64_t index;
          if (!absl::SimpleAtoi(step.key, &index)) return Value();
          cur = cur.At(index);
        } else {
          cur = cur.Get(step.key);
        }
        break;
      case PathStep::kIndex:
        cur = cur.At(step.index);
        break;
      case PathStep::kWildcard: {
        if (!cur.is_list()) return Value();
        std::vector<Value>* out = scratch.NewList();
        const size_t next = i + 1;
        cur.ForEachElement([&](const Value& e) {
          Collect(path, next, e, scratch, out);
          return true;
        });
        return EvalState::ListValue(out);
      }
    }
    if (cur.is_missing()) return cur;
  }
  return cur;
}

void Collect(const FieldPath& path, size_t i, const Value& v, EvalState& scratch, std::vector<Value>* out) {
  Value r = Walk(path, i, v, scratch);
  if (r.is_missing()) return;
  // A nested [*] produced a list of its own: flatten it into the outer result.
  bool nested_wildcard = false;
  for (size_t k = i; k < path.steps.size(); ++k) nested_wildcard |= path.steps[k].kind == PathStep::kWildcard;
  if (nested_wildcard && r.is_list()) {
    r.ForEachElement([&](const Value& e) {
      out->push_back(e);
      return true;
    });
  } else {
    out->push_back(r);
  }
}

}  // namespace

absl::Status TooManyPathSegments() {
  return absl::InvalidArgumentError(
      absl::StrCat("path has more than ", kMaxPathSegments, " segments (the limit of one path)"));
}

FieldPath KeyPathFromKey(absl::string_view key) {
  FieldPath path;
  path.text = std::string(key);
  AddKeyOrIndex(key, path);
  return path;
}

absl::StatusOr<FieldPath> ParseKeyPath(absl::string_view text) {
  FieldPath path;
  path.text = std::string(text);
  if (text.empty()) return absl::InvalidArgumentError("empty path");
  // `$` is the current value itself (the event, or the element inside a comprehension); `$.a.b` is `a.b`.
  if (text == "$") return path;
  if (text.size() > 2 && text[0] == '$' && (text[1] == '.' || text[1] == '[')) {
    text.remove_prefix(text[1] == '.' ? 2 : 1);
  }
  size_t i = 0;
  bool expect_segment = true;
  while (i < text.size()) {
    if (path.steps.size() >= kMaxPathSegments) return TooManyPathSegments();
    if (text[i] == '[') {
      const size_t close = text.find(']', i);
      if (close == absl::string_view::npos) {
        return absl::InvalidArgumentError(absl::StrCat("unclosed '[' in path \"", text, "\""));
      }
      absl::string_view inner = text.substr(i + 1, close - i - 1);
      PathStep step;
      size_t after = close + 1;
      if (text[i + 1] == '"' || text[i + 1] == '\'') {
        // A quoted key: annotations["authorization.k8s.io/decision"] (keys holding dots or brackets).
        const size_t end_quote = text.find(text[i + 1], i + 2);
        if (end_quote == absl::string_view::npos || end_quote + 1 >= text.size() || text[end_quote + 1] != ']') {
          return absl::InvalidArgumentError(absl::StrCat("unclosed quoted key in path \"", text, "\""));
        }
        step.kind = PathStep::kKey;
        step.key = std::string(text.substr(i + 2, end_quote - i - 2));
        after = end_quote + 2;
      } else if (inner == "*") {
        step.kind = PathStep::kWildcard;
        path.has_wildcard = true;
      } else if (absl::SimpleAtoi(inner, &step.index)) {
        step.kind = PathStep::kIndex;
      } else {
        return absl::InvalidArgumentError(
            absl::StrCat("list index \"", inner, "\" in path \"", text, "\" is neither an integer nor *"));
      }
      path.steps.push_back(std::move(step));
      i = after;
      expect_segment = false;
      if (i < text.size() && text[i] == '.') {
        ++i;
        expect_segment = true;
        if (i == text.size()) break;
      }
      continue;
    }
    size_t end = text.find_first_of(".[", i);
    if (end == absl::string_view::npos) end = text.size();
    absl::string_view segment = text.substr(i, end - i);
    if (segment.empty()) {
      return absl::InvalidArgumentError(absl::StrCat("empty segment in path \"", text, "\""));
    }
    if (segment == "*") {
      PathStep step;
      step.kind = PathStep::kWildcard;
      path.has_wildcard = true;
      path.steps.push_back(std::move(step));
    } else {
      AddKeyOrIndex(segment, path);
    }
    expect_segment = false;
    i = end;
    if (i < text.size() && text[i] == '.') {
      ++i;
      expect_segment = true;
    }
  }
  if (expect_segment) return absl::InvalidArgumentError(absl::StrCat("path \"", text, "\" ends with '.'"));
  return path;
}

absl::StatusOr<FieldPath> ParseSnowflakePath(absl::string_view text) {
  std::string dotted(text);
  const size_t colon = dotted.find(':');
  if (colon != std::string::npos) dotted[colon] = '.';
  auto path = ParseKeyPath(dotted);
  if (path.ok()) path->text = std::string(text);
  return path;
}

Value Lookup(const FieldPath& path, const Value& root, EvalState& scratch) {
  return Walk(path, 0, root, scratch);
}

Value LookupFrom(const FieldPath& path, size_t first, const Value& start, EvalState& scratch) {
  return Walk(path, first, start, scratch);
}

}  // namespace detect::engine_internal
