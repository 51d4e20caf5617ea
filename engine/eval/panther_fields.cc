// Derivation of Panther's p_any_* fields from Kubernetes audit event fields.
#include "engine/eval/panther_fields.h"

#include <vector>

#include "absl/strings/match.h"
#include "engine/eval/evaluator.h"
#include "engine/internal/ip_address.h"

namespace detect::engine_internal {
namespace {

void AddUnique(std::vector<Value>* list, const Value& v) {
  for (const Value& e : *list) {
    if (PyEquals(e, v)) return;
  }
  list->push_back(v);
}

void CollectArns(const Value& event, std::vector<Value>* out) {
  const Value user = event.Get("user");
  user.Get("extra").Get("arn").ForEachElement([&](const Value& v) {
    if (v.is_string() && absl::StartsWith(v.string_value(), "arn:")) AddUnique(out, v);
    return true;
  });
  for (const Value& u : {user, event.Get("impersonatedUser")}) {
    const Value name = u.Get("username");
    if (name.is_string() && absl::StartsWith(name.string_value(), "arn:")) AddUnique(out, name);
  }
}

}  // namespace

bool IsDerivablePantherField(absl::string_view name) {
  return name == "p_any_ip_addresses" || name == "p_any_usernames" || name == "p_any_aws_arns" ||
         name == "p_any_aws_account_ids";
}

Value DerivePantherField(absl::string_view name, const Value& event, EvalState& scratch) {
  std::vector<Value>* out = scratch.NewList();
  if (name == "p_any_ip_addresses") {
    event.Get("sourceIPs").ForEachElement([&](const Value& v) {
      if (v.is_string() && ParseIpAddress(v.string_value())) AddUnique(out, v);
      return true;
    });
  } else if (name == "p_any_usernames") {
    for (const Value& u : {event.Get("user"), event.Get("impersonatedUser")}) {
      const Value name_value = u.Get("username");
      if (name_value.is_string() && !name_value.string_value().empty()) AddUnique(out, name_value);
    }
  } else if (name == "p_any_aws_arns") {
    CollectArns(event, out);
  } else if (name == "p_any_aws_account_ids") {
    std::vector<Value>* arns = scratch.NewList();
    CollectArns(event, arns);
    for (const Value& arn : *arns) {
      // arn:partition:service:region:account-id:resource
      absl::string_view s = arn.string_value();
      size_t pos = 0;
      for (int field = 0; field < 4 && pos != absl::string_view::npos; ++field) {
        pos = s.find(':', pos);
        if (pos != absl::string_view::npos) ++pos;
      }
      if (pos == absl::string_view::npos) continue;
      const size_t end = s.find(':', pos);
      if (end == absl::string_view::npos || end == pos) continue;
      AddUnique(out, Value::String(s.substr(pos, end - pos)));
    }
  }
  if (out->empty()) return Value();
  return EvalState::ListValue(out);
}

}  // namespace detect::engine_internal
