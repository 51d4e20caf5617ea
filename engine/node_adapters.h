// Bases for NodeAdapters (engine/value.h) that walk only objects or only lists, so an adapter states what it
// reads and not the half of the interface that does not apply to it. ObjectNodeAdapter: At and ForEachElement
// read nothing, Size counts the members ForEachMember visits (override it when the count is cheaper).
// ListNodeAdapter: Get and ForEachMember read nothing. Adapters are stateless: thread-safe.
#ifndef DETECT_ENGINE_NODE_ADAPTERS_H_
#define DETECT_ENGINE_NODE_ADAPTERS_H_

#include <cstddef>

#include "absl/functional/function_ref.h"
#include "absl/strings/string_view.h"
#include "engine/value.h"

namespace detect {

class ObjectNodeAdapter : public NodeAdapter {
 public:
  Value At(const Value&, size_t) const final { return Value(); }
  void ForEachElement(const Value&, absl::FunctionRef<bool(const Value&)>) const final {}
  size_t Size(const Value& object) const override {
    size_t n = 0;
    ForEachMember(object, [&n](absl::string_view, const Value&) { return ++n, true; });
    return n;
  }
};

class ListNodeAdapter : public NodeAdapter {
 public:
  Value Get(const Value&, absl::string_view) const final { return Value(); }
  void ForEachMember(const Value&, absl::FunctionRef<bool(absl::string_view, const Value&)>) const final {}
};

}  // namespace detect

#endif  // DETECT_ENGINE_NODE_ADAPTERS_H_
