// The On-Demand forward pass over one event and the NodeAdapter of its projected values: see
// projected_event.h.
#include "engine/json/projected_event.h"

#include <cstring>

#include "engine/internal/json_element.h"

namespace detect::json_internal {

namespace od = simdjson::ondemand;

// Objects and lists of a projected event: handle word a is the ProjectedEvent, b the projection node.
class ProjectedAdapter final : public NodeAdapter {
 public:
  static ProjectedEvent& EventOf(const Value& v) { return *reinterpret_cast<ProjectedEvent*>(v.node_a()); }
  static int NodeOf(const Value& v) { return static_cast<int>(v.node_b()); }

  Value Get(const Value& object, absl::string_view key) const override {
    ProjectedEvent& e = EventOf(object);
    const int child = e.projection_->FindChild(NodeOf(object), key);
    if (child >= 0) return e.slots_[static_cast<size_t>(child)];
    return e.Dom(NodeOf(object)).Get(key);
  }
  Value At(const Value& list, size_t index) const override {
    ProjectedEvent& e = EventOf(list);
    const size_t node = static_cast<size_t>(NodeOf(list));
    if (e.list_size_[node] != ProjectedEvent::kLazyList) return e.elements_[e.list_begin_[node] + index];
    return e.Dom(NodeOf(list)).At(static_cast<int64_t>(index));
  }
  size_t Size(const Value& v) const override {
    ProjectedEvent& e = EventOf(v);
    const size_t node = static_cast<size_t>(NodeOf(v));
    if (v.is_list() && e.list_size_[node] != ProjectedEvent::kLazyList) return e.list_size_[node];
    return e.Dom(NodeOf(v)).Size();
  }
  void ForEachElement(const Value& list, absl::FunctionRef<bool(const Value&)> fn) const override {
    ProjectedEvent& e = EventOf(list);
    const size_t node = static_cast<size_t>(NodeOf(list));
    if (e.list_size_[node] == ProjectedEvent::kLazyList) {
      e.Dom(NodeOf(list)).ForEachElement(fn);
      return;
    }
    for (uint32_t i = 0; i < e.list_size_[node]; ++i) {
      if (!fn(e.elements_[e.list_begin_[node] + i])) return;
    }
  }
  void ForEachMember(const Value& object,
                     absl::FunctionRef<bool(absl::string_view, const Value&)> fn) const override {
    EventOf(object).Dom(NodeOf(object)).ForEachMember(fn);
  }
};

namespace {
const ProjectedAdapter kProjectedAdapter;
}  // namespace

ProjectedEvent::ProjectedEvent(simdjson::dom::parser* dom, size_t max_depth) : dom_(dom), max_depth_(max_depth) {
  // The pass checks depth itself (falling back to the DOM near the limit); On-Demand's own limit is above it.
  if (ondemand_.allocate(4096, max_depth + 8) != simdjson::SUCCESS) {
    // Out of memory: iterate() fails and every event goes to the DOM path.
  }
}

void ProjectedEvent::Assign(int node, const Value& v) {
  slots_[static_cast<size_t>(node)] = v;
  // A repeated key: the last one wins, so what an earlier occurrence left below this node is forgotten.
  const int end = projection_->subtree_end(node);
  for (int i = node + 1; i < end; ++i) slots_[static_cast<size_t>(i)] = Value();
}

bool ProjectedEvent::Read(absl::string_view json, bool padded, const Projection& projection, Value* root) {
  projection_ = &projection;
  dom_parsed_ = false;
  if (padded) {
    json_ = json.data();
  } else {
    if (copy_capacity_ < json.size() + simdjson::SIMDJSON_PADDING) {
      copy_capacity_ = json.size() + simdjson::SIMDJSON_PADDING;
      copy_capacity_ += copy_capacity_ / 2;
      copy_ = std::make_unique<char[]>(copy_capacity_);
    }
    if (!json.empty()) std::memcpy(copy_.get(), json.data(), json.size());
    std::memset(copy_.get() + json.size(), 0, simdjson::SIMDJSON_PADDING);
    json_ = copy_.get();
  }
  json_size_ = json.size();
  slots_.assign(projection.size(), Value());
  list_begin_.resize(projection.size());
  list_size_.resize(projection.size());
  elements_.clear();

  od::document doc;
  if (ondemand_.iterate(json_, json_size_, json_size_ + simdjson::SIMDJSON_PADDING).get(doc)) return false;
  od::object object;
  if (doc.get_object().get(object)) return false;
  if (max_depth_ < 2) return false;  // Let the DOM judge degenerate limits.
  if (!ReadObject(object, Projection::kRoot, 1)) return false;
  // Trailing content after the object: the DOM rejects it (and names the error).
  if (doc.current_location().error() != simdjson::OUT_OF_BOUNDS) return false;
  *root = Value::Node(ValueKind::kObject, &kProjectedAdapter, reinterpret_cast<uintptr_t>(this), Projection::kRoot);
  return true;
}

bool ProjectedEvent::ReadObject(od::object object, int node, size_t depth) {
  for (auto member : object) {
    od::field field;
    if (std::move(member).get(field)) return false;
    // The key: its raw bytes unless it has an escape (then unescaped, which also validates it).
    const char* raw = reinterpret_cast<const char*>(field.key().raw());
    const char* end = raw;
    while (*end != '"' && *end != '\\') ++end;
    absl::string_view key;
    if (*end == '"') {
      key = absl::string_view(raw, static_cast<size_t>(end - raw));
    } else {
      std::string_view unescaped;
      if (field.unescaped_key().get(unescaped)) return false;
      key = absl::string_view(unescaped.data(), unescaped.size());
    }
    const int child = node >= 0 && projection_->has_children(node) ? projection_->FindChild(node, key) : -1;
    bool container = false;
    if (!ReadValue(field.value(), child, depth, nullptr, &container)) return false;
  }
  return true;
}

bool ProjectedEvent::ReadArray(od::array array, int node, size_t depth) {
  // A projected list keeps its scalar elements; one that holds containers is read from the DOM when asked.
  const size_t begin = elements_.size();
  bool lazy = false;
  for (auto element : array) {
    od::value v;
    if (std::move(element).get(v)) return false;
    Value ev;
    bool container = false;
    if (!ReadValue(v, -1, depth, node >= 0 && !lazy ? &ev : nullptr, &container)) return false;
    if (node >= 0 && !lazy) {
      if (container) {
        lazy = true;
        elements_.resize(begin);
      } else {
        elements_.push_back(ev);
      }
    }
  }
  if (node >= 0) {
    list_begin_[static_cast<size_t>(node)] = static_cast<uint32_t>(begin);
    list_size_[static_cast<size_t>(node)] = lazy ? kLazyList : static_cast<uint32_t>(elements_.size() - begin);
  }
  return true;
}

bool ProjectedEvent::ReadValue(od::value value, int node, size_t depth, Value* out, bool* container) {
  od::json_type type;
  if (value.type().get(type)) return false;
  Value v;
  switch (type) {
    case od::json_type::object: {
      *container = true;
      if (depth + 1 >= max_depth_) return false;  // Near the depth limit: the DOM decides.
      od::object object;
      if (value.get_object().get(object)) return false;
      if (node >= 0) {
        Assign(node, Value::Node(ValueKind::kObject, &kProjectedAdapter, reinterpret_cast<uintptr_t>(this),
                                 static_cast<uint64_t>(node)));
      }
      return ReadObject(object, node, depth + 1);
    }
    case od::json_type::array: {
      *container = true;
      if (depth + 1 >= max_depth_) return false;
      od::array array;
      if (value.get_array().get(array)) return false;
      if (node >= 0) {
        Assign(node, Value::Node(ValueKind::kList, &kProjectedAdapter, reinterpret_cast<uintptr_t>(this),
                                 static_cast<uint64_t>(node)));
      }
      return ReadArray(array, node, depth + 1);
    }
    case od::json_type::string: {
      const std::string_view token = value.raw_json_token();
      if (token.size() < 2) return false;
      // token is `"...", then spaces up to the next token. Without a backslash the content is the raw bytes
      // (stage 1 has validated UTF-8 and the absence of control characters); with one, unescaping validates.
      const char* begin = token.data() + 1;
      const void* quote = std::memchr(begin, '"', token.size() - 1);
      if (quote == nullptr) return false;
      const size_t length = static_cast<size_t>(static_cast<const char*>(quote) - begin);
      if (std::memchr(begin, '\\', length) == nullptr) {
        od::raw_json_string skipped;
        if (value.get_raw_json_string().get(skipped)) return false;
        v = Value::String(absl::string_view(begin, length));
      } else {
        std::string_view s;
        if (value.get_string().get(s)) return false;
        v = Value::String(absl::string_view(s.data(), s.size()));
      }
      break;
    }
    case od::json_type::number: {
      od::number n;
      if (value.get_number().get(n)) return false;
      switch (n.get_number_type()) {
        case od::number_type::signed_integer: v = Value::Int(n.get_int64()); break;
        // Above INT64_MAX: a double, as the DOM path converts it.
        case od::number_type::unsigned_integer: v = Value::Double(static_cast<double>(n.get_uint64())); break;
        case od::number_type::floating_point_number: v = Value::Double(n.get_double()); break;
        default: return false;
      }
      break;
    }
    case od::json_type::boolean: {
      bool b;
      if (value.get_bool().get(b)) return false;
      v = Value::Bool(b);
      break;
    }
    case od::json_type::null: {
      bool is_null;
      if (value.is_null().get(is_null) || !is_null) return false;
      v = Value::Null();
      break;
    }
    default:
      return false;
  }
  if (node >= 0) Assign(node, v);
  if (out != nullptr) *out = v;
  return true;
}

Value ProjectedEvent::Dom(int node) {
  if (!dom_parsed_) {
    dom_parsed_ = true;
    ++lazy_parses_;
    dom_ok_ = dom_->parse(json_, json_size_, /*realloc_if_needed=*/false).get(dom_root_) == simdjson::SUCCESS;
  }
  if (!dom_ok_) return Value();  // Not reached: the pass accepted the event, so the DOM does too.
  int chain[64];
  int n = 0;
  std::vector<int> deep;  // Paths deeper than the chain buffer.
  for (int i = node; i != Projection::kRoot; i = projection_->parent(i)) {
    if (n < 64) {
      chain[n++] = i;
    } else {
      deep.push_back(i);
    }
  }
  Value v = JsonElementToValue(dom_root_);
  for (auto it = deep.rbegin(); it != deep.rend(); ++it) v = v.Get(projection_->key(*it));
  while (n > 0) v = v.Get(projection_->key(chain[--n]));
  return v;
}

}  // namespace detect::json_internal
