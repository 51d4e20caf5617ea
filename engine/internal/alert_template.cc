// Parsing and rendering of alert templates.
#include "engine/internal/alert_template.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "engine/internal/value_text.h"

namespace detect::engine_internal {

std::vector<const FieldPath*> AlertTemplate::Fields() const {
  std::vector<const FieldPath*> fields;
  for (const TemplatePart& p : parts) {
    if (p.is_field && p.alert_field.empty()) fields.push_back(&p.path);
  }
  return fields;
}

absl::StatusOr<AlertTemplate> ParseAlertTemplate(absl::string_view text) {
  AlertTemplate tmpl;
  tmpl.text = std::string(text);
  TemplatePart part;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '}' ) {
      if (i + 1 < text.size() && text[i + 1] == '}') {
        part.literal.push_back('}');
        ++i;
        continue;
      }
      return absl::InvalidArgumentError(absl::StrCat("unmatched '}' at offset ", i, " (write }} for a brace)"));
    }
    if (c != '{') {
      part.literal.push_back(c);
      continue;
    }
    if (i + 1 < text.size() && text[i + 1] == '{') {
      part.literal.push_back('{');
      ++i;
      continue;
    }
    const size_t close = text.find('}', i);
    if (close == absl::string_view::npos) {
      return absl::InvalidArgumentError(absl::StrCat("unclosed '{' at offset ", i));
    }
    absl::string_view inner = text.substr(i + 1, close - i - 1);
    if (!inner.empty() && inner[0] == '@') {
      part.is_field = true;
      part.alert_field = std::string(absl::StripAsciiWhitespace(inner.substr(1)));
      if (part.alert_field.empty()) return absl::InvalidArgumentError("placeholder {@} names no AlertFields entry");
      tmpl.parts.push_back(std::move(part));
      part = TemplatePart();
      i = close;
      continue;
    }
    const size_t bar = inner.find('|');
    absl::string_view path_text = absl::StripAsciiWhitespace(inner.substr(0, bar));
    auto path = ParseKeyPath(path_text);
    if (!path.ok()) {
      const absl::string_view shown = inner.size() > 80 ? inner.substr(0, 80) : inner;  // Not 10 KB of path.
      return absl::InvalidArgumentError(
          absl::StrCat("placeholder {", shown, inner.size() > 80 ? "...}" : "}", ": ", path.status().message()));
    }
    part.is_field = true;
    part.path = *std::move(path);
    if (bar != absl::string_view::npos) {
      part.has_default = true;
      part.default_text = std::string(inner.substr(bar + 1));
    }
    tmpl.parts.push_back(std::move(part));
    part = TemplatePart();
    i = close;
  }
  if (!part.literal.empty()) tmpl.parts.push_back(std::move(part));
  return tmpl;
}

namespace {

void RenderAlertField(const AlertField& field, const EvalContext& ctx, std::string& out) {
  const Value list = ResolveEventPath(field.list, ctx);
  bool first = true;
  list.ForEachElement([&](const Value& elem) {
    if (!EvalAll(field.filter, &elem, ctx)) return true;
    if (!first) out += field.separator;
    first = false;
    RenderAlertTemplate(field.element, ctx, out, nullptr, &elem);
    return true;
  });
  if (first) out += field.default_text;
}

}  // namespace

void RenderAlertTemplate(const AlertTemplate& tmpl, const EvalContext& ctx, std::string& out,
                         const std::vector<AlertField>* fields, const Value* base) {
  for (const TemplatePart& part : tmpl.parts) {
    out += part.literal;
    if (!part.is_field) continue;
    if (part.alert_field_index >= 0) {
      if (fields != nullptr) RenderAlertField((*fields)[part.alert_field_index], ctx, out);
      continue;
    }
    const Value v = ResolvePath(part.path, base, ctx);
    if (part.has_default && !IsTruthy(v)) {
      out += part.default_text;
    } else if (v.is_missing()) {
      // Nothing: a missing value without a default renders empty.
    } else if (part.path.has_wildcard && v.is_list()) {
      bool first = true;
      v.ForEachElement([&](const Value& e) {
        if (!first) out += ", ";
        first = false;
        AppendPythonStr(e, out);
        return true;
      });
    } else {
      AppendPythonStr(v, out);
    }
  }
}

}  // namespace detect::engine_internal
