// Alert templates: `AlertTitle` / dedup strings with `{field.path}` placeholders, compiled once and rendered
// only for matches. `{path|default}` prints `default` when the value is falsy (Python's `x or default`);
// `{{` and `}}` are literal braces; a `[*]` placeholder prints its values joined with ", ".
#ifndef DETECT_ENGINE_INTERNAL_ALERT_TEMPLATE_H_
#define DETECT_ENGINE_INTERNAL_ALERT_TEMPLATE_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "engine/internal/evaluator.h"
#include "engine/internal/field_path.h"

namespace detect::engine_internal {

struct TemplatePart {
  std::string literal;  // Text before the placeholder (or the whole part when !is_field).
  bool is_field = false;
  FieldPath path;
  bool has_default = false;
  std::string default_text;
};

// Immutable after parsing; thread-safe.
struct AlertTemplate {
  std::string text;  // As written.
  std::vector<TemplatePart> parts;
  // Every placeholder's path, for `describe`'s output fields.
  std::vector<const FieldPath*> Fields() const;
};

// InvalidArgument for an unclosed `{`, a stray `}`, or a bad path inside braces.
absl::StatusOr<AlertTemplate> ParseAlertTemplate(absl::string_view text);

// Renders from the event root of `ctx`; a missing value without a default prints as empty text.
void RenderAlertTemplate(const AlertTemplate& tmpl, const EvalContext& ctx, std::string& out);

}  // namespace detect::engine_internal

#endif  // DETECT_ENGINE_INTERNAL_ALERT_TEMPLATE_H_
