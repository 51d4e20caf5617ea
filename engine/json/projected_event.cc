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
    if (child >= 0) return e.Slot(child);
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

bool IsSpace(char c) { return c == ' ' || c == '\n' || c == '\r' || c == '\t'; }

// The content of a string token (`"...", then whitespace up to the next structural character, as
// raw_json_token() gives it): after the closing quote stage 1 leaves only whitespace before the next structural
// character, so the closing quote is the token's last non-space byte.
bool StringContent(std::string_view token, absl::string_view* content) {
  size_t end = token.size();
  while (end > 0 && IsSpace(token[end - 1])) --end;
  if (end < 2 || token[0] != '"' || token[end - 1] != '"') return false;
  *content = absl::string_view(token.data() + 1, end - 2);
  return true;
}

// True when `token` is exactly `atom` followed by whitespace: the DOM's check of true, false and null.
bool IsAtom(std::string_view token, std::string_view atom) {
  if (token.size() < atom.size() || std::memcmp(token.data(), atom.data(), atom.size()) != 0) return false;
  for (size_t i = atom.size(); i < token.size(); ++i) {
    if (!IsSpace(token[i])) return false;
  }
  return true;
}

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// True when `token` is a JSON number (followed by whitespace) that the DOM surely accepts: the grammar
// -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?, with few enough digits that it cannot be a big integer (the DOM
// refuses integers beyond 64 bits) or overflow a double. False for anything else, including valid numbers it
// cannot vouch for: the caller then lets the DOM decide.
bool IsSafeNumber(std::string_view token) {
  const char* p = token.data();
  const char* const end = p + token.size();
  if (p < end && *p == '-') ++p;
  const char* digits = p;
  if (p < end && *p == '0') {
    ++p;
  } else {
    while (p < end && IsDigit(*p)) ++p;
  }
  const size_t int_digits = static_cast<size_t>(p - digits);
  if (int_digits == 0 || int_digits > 18) return false;
  if (p < end && *p == '.') {
    ++p;
    const char* frac = p;
    while (p < end && IsDigit(*p)) ++p;
    if (p == frac || p - frac > 200) return false;
  }
  if (p < end && (*p == 'e' || *p == 'E')) {
    ++p;
    if (p < end && (*p == '+' || *p == '-')) ++p;
    const char* exp = p;
    while (p < end && IsDigit(*p)) ++p;
    if (p == exp || p - exp > 2) return false;  // |exponent| < 100: no overflow or underflow.
  }
  for (; p < end; ++p) {
    if (!IsSpace(*p)) return false;
  }
  return true;
}

}  // namespace

ProjectedEvent::ProjectedEvent(simdjson::dom::parser* dom, size_t max_depth) : dom_(dom), max_depth_(max_depth) {
  // The pass checks depth itself (falling back to the DOM near the limit); On-Demand's own limit is above it.
  if (ondemand_.allocate(4096, max_depth + 8) != simdjson::SUCCESS) {
    // Out of memory: iterate() fails and every event goes to the DOM path.
  }
}

void ProjectedEvent::Assign(int node, const Value& v) {
  const size_t n = static_cast<size_t>(node);
  if (stamps_[n] == epoch_) {
    // A repeated key: the last one wins, so what an earlier occurrence left below this node is forgotten.
    const int end = projection_->subtree_end(node);
    for (int i = node + 1; i < end; ++i) stamps_[static_cast<size_t>(i)] = 0;
  }
  slots_[n] = v;
  stamps_[n] = epoch_;
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
  // Escapes are the one thing in strings stage 1 leaves unchecked; most events have none at all.
  backslashes_ = std::memchr(json_, '\\', json_size_) != nullptr;
  // A new epoch forgets every slot of the last event without clearing them.
  if (slots_.size() != projection.size() || ++epoch_ == 0) {
    slots_.assign(projection.size(), Value());
    stamps_.assign(projection.size(), 0);
    epoch_ = 1;
  }
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
    // The key: its raw bytes unless it has an escape (then unescaped, which also validates it). Its closing
    // quote is found from the value's start: On-Demand has checked the colon between them, and only
    // whitespace surrounds it.
    const char* raw = reinterpret_cast<const char*>(field.key().raw());
    od::value value = field.value();
    const std::string_view value_token = value.raw_json_token();
    const char* end = value_token.data() - 1;
    while (IsSpace(*end)) --end;  // Stops at the colon.
    --end;
    while (IsSpace(*end)) --end;  // Stops at the key's closing quote.
    if (end < raw || *end != '"') return false;
    absl::string_view key(raw, static_cast<size_t>(end - raw));
    if (backslashes_ && std::memchr(key.data(), '\\', key.size()) != nullptr) {
      std::string_view unescaped;
      if (field.unescaped_key().get(unescaped)) return false;
      key = absl::string_view(unescaped.data(), unescaped.size());
    }
    const int child = node >= 0 && projection_->has_children(node) ? projection_->FindChild(node, key) : -1;
    bool container = false;
    if (!ReadValue(value, child, depth, nullptr, &container)) return false;
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
  // Dispatched on the token's first byte (what value.type() looks at), with the raw token at hand for the
  // cheap checks below.
  const std::string_view token = value.raw_json_token();
  if (token.empty()) return false;
  const bool keep = node >= 0 || out != nullptr;
  Value v;
  switch (token[0]) {
    case '{': {
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
    case '[': {
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
    case '"': {
      // Stage 1 has validated UTF-8, the closing quote and the absence of control characters; what is left
      // are escapes, and only an event with a backslash has any. A string with one is unescaped (which
      // validates it); one without is its raw bytes, consumed as such: a string left unconsumed would be
      // skipped by On-Demand, which takes a string followed by a colon for a key and eats the colon
      // (regressions/ondemand_vs_dom_fuzzer/string_followed_by_colon.json).
      const bool escaped = backslashes_ && std::memchr(token.data() + 1, '\\', token.size() - 1) != nullptr;
      if (escaped) {
        std::string_view s;
        if (value.get_string().get(s)) return false;
        v = Value::String(absl::string_view(s.data(), s.size()));
      } else {
        od::raw_json_string raw;
        if (value.get_raw_json_string().get(raw)) return false;
        if (!keep) return true;
        absl::string_view content;
        if (!StringContent(token, &content)) return false;
        v = Value::String(content);
      }
      break;
    }
    case 't':
      if (!IsAtom(token, "true")) return false;
      v = Value::Bool(true);
      break;
    case 'f':
      if (!IsAtom(token, "false")) return false;
      v = Value::Bool(false);
      break;
    case 'n':
      if (!IsAtom(token, "null")) return false;
      v = Value::Null();
      break;
    case '-': case '0': case '1': case '2': case '3': case '4': case '5': case '6': case '7': case '8': case '9': {
      // Skipped: a syntax check of the raw token (anything it cannot vouch for goes to the DOM). Kept: converted
      // by simdjson, exactly as the DOM converts them (big integers fail here and go to the DOM).
      if (!keep) return IsSafeNumber(token);
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
