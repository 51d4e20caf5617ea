// Panther's standard fields that it computes while parsing EKS audit logs (p_any_ip_addresses,
// p_any_usernames, p_any_aws_arns, p_any_aws_account_ids), derived here from a raw Kubernetes audit event
// that lacks them.
#ifndef DETECT_ENGINE_EVAL_PANTHER_FIELDS_H_
#define DETECT_ENGINE_EVAL_PANTHER_FIELDS_H_

#include "absl/strings/string_view.h"
#include "engine/eval/eval_state.h"
#include "engine/value.h"

namespace detect::engine_internal {

// True for the names DerivePantherField knows.
bool IsDerivablePantherField(absl::string_view name);

// The derived list for `name` (kept in `scratch`), or Missing when the event holds nothing to derive it from:
//   p_any_ip_addresses    the entries of sourceIPs that are IP addresses
//   p_any_usernames       user.username and impersonatedUser.username
//   p_any_aws_arns        user.extra.arn entries and usernames that are ARNs
//   p_any_aws_account_ids the account field of those ARNs
Value DerivePantherField(absl::string_view name, const Value& event, EvalState& scratch);

}  // namespace detect::engine_internal

#endif  // DETECT_ENGINE_EVAL_PANTHER_FIELDS_H_
