// simdjson DOM adapter behind detect::Value, and the per-thread event parser.
#include "engine/json_event.h"

#include <cstring>
#include <type_traits>

#include "absl/strings/str_cat.h"
#include "engine/internal/json_element.h"
#include "engine/internal/rule_set_internals.h"
#include "engine/json/projected_event.h"
#include "simdjson.h"

namespace detect {
namespace {

using simdjson::dom::element;
using simdjson::dom::element_type;

static_assert(std::is_trivially_copyable_v<element> && sizeof(element) == 2 * sizeof(uint64_t),
              "a simdjson element must fit the two handle words of a Value node");

absl::string_view ToAbsl(std::string_view s) { return absl::string_view(s.data(), s.size()); }

element ElementOf(const Value& v) {
  uint64_t words[2] = {v.node_a(), v.node_b()};
  element e;
  std::memcpy(static_cast<void*>(&e), words, sizeof(e));
  return e;
}

class JsonAdapter final : public NodeAdapter {
 public:
  Value Get(const Value& object, absl::string_view key) const override {
    simdjson::dom::object obj = ElementOf(object).get_object().value_unsafe();
    Value found;
    for (auto field : obj) {  // Keep scanning: the last duplicate key wins, as with Python's json.loads.
      if (field.key.size() == key.size() && std::memcmp(field.key.data(), key.data(), key.size()) == 0) {
        found = JsonElementToValue(field.value);
      }
    }
    return found;
  }
  Value At(const Value& list, size_t index) const override {
    simdjson::dom::array arr = ElementOf(list).get_array().value_unsafe();
    for (element e : arr) {
      if (index-- == 0) return JsonElementToValue(e);
    }
    return Value();
  }
  size_t Size(const Value& node) const override {
    element e = ElementOf(node);
    if (node.is_list()) return e.get_array().value_unsafe().size();
    return e.get_object().value_unsafe().size();
  }
  void ForEachElement(const Value& list, absl::FunctionRef<bool(const Value&)> fn) const override {
    const simdjson::dom::array arr = ElementOf(list).get_array().value_unsafe();
    for (element e : arr) {
      if (!fn(JsonElementToValue(e))) return;
    }
  }
  void ForEachMember(const Value& object,
                     absl::FunctionRef<bool(absl::string_view, const Value&)> fn) const override {
    const simdjson::dom::object obj = ElementOf(object).get_object().value_unsafe();
    for (auto field : obj) {
      if (!fn(ToAbsl(field.key), JsonElementToValue(field.value))) return;
    }
  }
};

const JsonAdapter kJsonAdapter;

Value NodeValue(ValueKind kind, element e) {
  uint64_t words[2];
  std::memcpy(words, static_cast<const void*>(&e), sizeof(e));
  return Value::Node(kind, &kJsonAdapter, words[0], words[1]);
}

}  // namespace

bool IsJsonNode(const Value& v) { return v.adapter() == &kJsonAdapter; }

Value JsonElementToValue(element e) {
  switch (e.type()) {
    case element_type::OBJECT: return NodeValue(ValueKind::kObject, e);
    case element_type::ARRAY: return NodeValue(ValueKind::kList, e);
    case element_type::STRING: return Value::String(ToAbsl(e.get_string().value_unsafe()));
    case element_type::INT64: return Value::Int(e.get_int64().value_unsafe());
    case element_type::UINT64: {
      // Above INT64_MAX: kept as a double (Python would keep the exact integer; such values are not audit data).
      return Value::Double(static_cast<double>(e.get_uint64().value_unsafe()));
    }
    case element_type::DOUBLE: return Value::Double(e.get_double().value_unsafe());
    case element_type::BOOL: return Value::Bool(e.get_bool().value_unsafe());
    case element_type::NULL_VALUE: return Value::Null();
  }
  return Value();
}

static_assert(JsonEventParser::kPadding >= simdjson::SIMDJSON_PADDING, "kPadding must cover simdjson's");

// The DOM parser, and the On-Demand reader (created at the first projected read) that shares it for the
// events and subtrees it leaves to the DOM.
class JsonEventParser::Impl {
 public:
  Impl(size_t max_capacity, size_t max_depth) : parser(max_capacity), max_depth(max_depth) {}
  simdjson::dom::parser parser;
  size_t max_depth;  // EngineOptions::max_event_depth.
  std::unique_ptr<json_internal::ProjectedEvent> projected;
};

JsonEventParser::JsonEventParser(const EngineOptions& options)
    : impl_(std::make_unique<Impl>(
          options.max_event_bytes == 0 ? simdjson::SIMDJSON_MAXSIZE_BYTES : options.max_event_bytes,
          options.max_event_depth)),
      max_event_bytes_(options.max_event_bytes),
      json_read_(options.json_read) {
  // Depth limit: simdjson refuses a document of max_depth levels (it accepts max_depth - 1), so ask for one
  // more: max_event_depth levels are accepted, as for typed events.
  if (impl_->parser.allocate(4096, options.max_event_depth + 1) != simdjson::SUCCESS) {
    // Out of memory here resurfaces as a per-event error at the first Parse().
  }
}

JsonEventParser::~JsonEventParser() = default;

absl::StatusOr<Value> JsonEventParser::Parse(absl::string_view json, bool padded) {
  if (max_event_bytes_ != 0 && json.size() > max_event_bytes_) {
    return absl::InvalidArgumentError(absl::StrCat("event too large: ", json.size(),
                                                   " bytes exceeds max_event_bytes ", max_event_bytes_));
  }
  element root;
  auto error = impl_->parser.parse(json.data(), json.size(), /*realloc_if_needed=*/!padded).get(root);
  if (error == simdjson::DEPTH_ERROR) {
    return absl::InvalidArgumentError(
        absl::StrCat("event nested too deep: more than max_event_depth ", impl_->parser.max_depth() - 1, " levels"));
  }
  if (error) {
    return absl::InvalidArgumentError(absl::StrCat("invalid JSON: ", simdjson::error_message(error)));
  }
  if (root.type() != element_type::OBJECT) {
    return absl::InvalidArgumentError("event is not a JSON object");
  }
  return JsonElementToValue(root);
}

absl::StatusOr<Value> JsonEventParser::ParseFor(const RuleSet& rules, absl::string_view json, bool padded) {
  if (json_read_ != EngineOptions::JsonRead::kOnDemand || (max_event_bytes_ != 0 && json.size() > max_event_bytes_)) {
    return Parse(json, padded);
  }
  if (impl_->projected == nullptr) {
    impl_->projected = std::make_unique<json_internal::ProjectedEvent>(&impl_->parser, impl_->max_depth);
  }
  Value root;
  if (impl_->projected->Read(json, padded, RuleSetInternals::Of(rules).projection, &root)) return root;
  return Parse(json, padded);  // An error, or what the pass cannot vouch for: the DOM decides.
}

}  // namespace detect

namespace detect {

simdjson::dom::element JsonElementOf(const Value& v) { return ElementOf(v); }

}  // namespace detect
