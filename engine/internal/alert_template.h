// Alert templates: `AlertTitle` / dedup strings with `{field.path}` placeholders, compiled once and rendered
// only for matches. `{path|default}` prints `default` when the value is falsy (Python's `x or default`);
// `{{` and `}}` are literal braces; a `[*]` placeholder prints its values joined with ", "; `{@name}` prints
// the rule's AlertFields entry `name` (a list rendered element by element).
#ifndef DETECT_ENGINE_INTERNAL_ALERT_TEMPLATE_H_
#define DETECT_ENGINE_INTERNAL_ALERT_TEMPLATE_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "engine/eval/evaluator.h"
#include "engine/internal/expr.h"
#include "engine/internal/field_path.h"

namespace detect::engine_internal {

struct TemplatePart {
  std::string literal;  // Text before the placeholder (or the whole part when !is_field).
  bool is_field = false;
  FieldPath path;
  bool has_default = false;
  std::string default_text;
  std::string alert_field;      // `{@name}`: the AlertFields entry's name...
  int alert_field_index = -1;   // ...and its index, resolved when the rule is compiled.
};

// Immutable after parsing; thread-safe.
struct AlertTemplate {
  std::string text;  // As written.
  std::vector<TemplatePart> parts;
  // Every placeholder's path, for `describe`'s output fields.
  std::vector<const FieldPath*> Fields() const;
};

// An AlertFields entry: the elements of a list, each rendered with `element` (paths relative to the element),
// those passing `filter`, joined with `separator`; `default_text` when none qualifies.
struct AlertField {
  std::string name;
  FieldPath list;
  AlertTemplate element;
  std::vector<Expr> filter;  // ANDed, keys relative to the element.
  std::string separator = ", ";
  std::string default_text;
};

// InvalidArgument for an unclosed `{`, a stray `}`, or a bad path inside braces.
absl::StatusOr<AlertTemplate> ParseAlertTemplate(absl::string_view text);

// Renders a template; paths are relative to `base` (null: the event root of `ctx`). A missing value without a
// default prints as empty text. `fields` resolves `{@name}` parts (null: none allowed).
void RenderAlertTemplate(const AlertTemplate& tmpl, const EvalContext& ctx, std::string& out,
                         const std::vector<AlertField>* fields = nullptr, const Value* base = nullptr);

}  // namespace detect::engine_internal

#endif  // DETECT_ENGINE_INTERNAL_ALERT_TEMPLATE_H_
