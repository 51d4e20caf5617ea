// GKE and AKS records as Kubernetes audit events.
#include "engine/eval/kubernetes_views.h"

#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_split.h"
#include "engine/internal/json_element.h"

namespace detect::engine_internal {
namespace {

using Members = EvalState::Members;

Value StringOf(const Value& v) { return v.is_string() ? v : Value(); }

void Add(Members* m, absl::string_view key, const Value& v) {
  if (!v.is_missing()) m->emplace_back(key, v);
}

// core/v1/namespaces/default/pods/web/exec -> objectRef members.
Value ObjectRefFromResourceName(absl::string_view name, EvalState& scratch) {
  std::vector<absl::string_view> parts = absl::StrSplit(name, '/');
  if (parts.size() < 3 || parts[0].empty()) return Value();
  Members* ref = scratch.NewObject();
  if (parts[0] != "core") Add(ref, "apiGroup", Value::String(parts[0]));
  Add(ref, "apiVersion", Value::String(parts[1]));
  size_t i = 2;
  if (parts[i] == "namespaces" && i + 1 < parts.size()) {
    if (i + 2 == parts.size()) {  // The namespace object itself: core/v1/namespaces/default.
      Add(ref, "resource", Value::String(parts[i]));
      Add(ref, "name", Value::String(parts[i + 1]));
      return EvalState::ObjectValue(ref);
    }
    Add(ref, "namespace", Value::String(parts[i + 1]));
    i += 2;
  }
  const char* keys[] = {"resource", "name", "subresource"};
  for (const char* key : keys) {
    if (i < parts.size() && !parts[i].empty()) Add(ref, key, Value::String(parts[i]));
    ++i;
  }
  return EvalState::ObjectValue(ref);
}

Value GkeView(const Value& event, EvalState& scratch) {
  const Value pp = event.Get("protoPayload");
  Members* root = scratch.NewObject();
  event.ForEachMember([&](absl::string_view k, const Value& v) {
    root->emplace_back(k, v);
    return true;
  });
  Add(root, "kind", Value::String("Event"));
  Add(root, "stage", Value::String("ResponseComplete"));
  const Value method = StringOf(pp.Get("methodName"));
  if (method.is_string() && absl::StartsWith(method.string_value(), "io.k8s.")) {
    std::vector<absl::string_view> parts = absl::StrSplit(method.string_value(), '.');
    if (parts.size() >= 5) Add(root, "verb", Value::String(parts.back()));
  }
  const Value resource = StringOf(pp.Get("resourceName"));
  if (resource.is_string()) {
    if (absl::StartsWith(resource.string_value(), "/")) {
      Add(root, "requestURI", resource);
    } else {
      Add(root, "objectRef", ObjectRefFromResourceName(resource.string_value(), scratch));
    }
  }
  const Value auth = pp.Get("authenticationInfo");
  Value username = StringOf(auth.Get("principalEmail"));
  if (username.is_missing()) username = StringOf(auth.Get("authoritySelector"));
  if (!username.is_missing()) {
    Members* user = scratch.NewObject();
    Add(user, "username", username);
    Add(root, "user", EvalState::ObjectValue(user));
  }
  const Value metadata = pp.Get("requestMetadata");
  const Value caller = StringOf(metadata.Get("callerIP"));
  if (!caller.is_missing()) {
    std::vector<Value>* ips = scratch.NewList();
    ips->push_back(caller);
    Add(root, "sourceIPs", EvalState::ListValue(ips));
  }
  Add(root, "userAgent", StringOf(metadata.Get("callerSuppliedUserAgent")));
  Add(root, "requestObject", pp.Get("request"));
  Add(root, "responseObject", pp.Get("response"));
  const Value code = pp.Get("status").Get("code");
  if (code.is_int()) {
    Members* status = scratch.NewObject();
    Add(status, "code", code);
    Add(status, "message", pp.Get("status").Get("message"));
    Add(root, "responseStatus", EvalState::ObjectValue(status));
  }
  const Value authz = pp.Get("authorizationInfo");
  if (authz.is_list() && authz.Size() > 0) {
    bool granted = true;
    authz.ForEachElement([&](const Value& a) {
      granted = granted && a.Get("granted").is_bool() && a.Get("granted").bool_value();
      return granted;
    });
    Members* annotations = scratch.NewObject();
    Add(annotations, "authorization.k8s.io/decision", Value::String(granted ? "allow" : "forbid"));
    Add(root, "annotations", EvalState::ObjectValue(annotations));
  }
  return EvalState::ObjectValue(root);
}

Value AksView(const Value& event, EvalState& scratch) {
  const Value log = event.Get("properties").Get("log");
  if (!log.is_string()) return event;
  simdjson::dom::element inner;
  absl::string_view text = log.string_value();
  if (scratch.nested_parser().parse(text.data(), text.size()).get(inner) != simdjson::SUCCESS ||
      inner.type() != simdjson::dom::element_type::OBJECT) {
    return event;  // Not an embedded audit event: rules see the record as it is.
  }
  const Value audit = JsonElementToValue(inner);
  Members* root = scratch.NewObject();
  audit.ForEachMember([&](absl::string_view k, const Value& v) {
    root->emplace_back(k, v);
    return true;
  });
  event.ForEachMember([&](absl::string_view k, const Value& v) {
    if (audit.Get(k).is_missing()) root->emplace_back(k, v);
    return true;
  });
  return EvalState::ObjectValue(root);
}

}  // namespace

Value KubernetesAuditView(absl::string_view log_type, const Value& event, EvalState& scratch) {
  if (log_type == "GCP.AuditLog") {
    const Value service = event.Get("protoPayload").Get("serviceName");
    if (service.is_string() && service.string_value() == "k8s.io") return GkeView(event, scratch);
  } else if (log_type == "Azure.MonitorActivity") {
    const Value category = event.Get("category");
    if (category.is_string() && (category.string_value() == "kube-audit" || category.string_value() == "kube-audit-admin")) {
      return AksView(event, scratch);
    }
  }
  return event;
}

}  // namespace detect::engine_internal
