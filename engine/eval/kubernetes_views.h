// Kubernetes audit views of other clouds' records: a GKE record (GCP.AuditLog from k8s.io) or an AKS record
// (Azure.MonitorActivity, category kube-audit or kube-audit-admin) is presented to rules as a Kubernetes audit event, so one rule
// written against audit.k8s.io fields (verb, objectRef, user.username, sourceIPs, ...) covers EKS, GKE and AKS,
// as Panther's unified Kubernetes rules do. The record's own fields stay readable.
#ifndef DETECT_ENGINE_EVAL_KUBERNETES_VIEWS_H_
#define DETECT_ENGINE_EVAL_KUBERNETES_VIEWS_H_

#include "absl/strings/string_view.h"
#include "engine/eval/eval_state.h"
#include "engine/value.h"

namespace detect::engine_internal {

// The event as rules see it for `log_type`: a view for GKE and AKS Kubernetes records, else `event` itself.
//
// GKE (protoPayload.serviceName k8s.io): verb from the last part of methodName (io.k8s.core.v1.pods.create);
// objectRef {apiGroup, apiVersion, namespace, resource, name, subresource} from resourceName
// (core/v1/namespaces/default/pods/web/exec); user.username from authenticationInfo.principalEmail, else
// authoritySelector; sourceIPs [requestMetadata.callerIP]; userAgent from callerSuppliedUserAgent;
// requestObject/responseObject from request/response; responseStatus.code from status.code (a gRPC code, which
// rules treat as failed when 1..16); the authorization decision annotation from authorizationInfo[].granted;
// requestURI from a resourceName that is a path (/readyz); stage ResponseComplete.
// AKS: the audit event JSON in properties.log, with the record's other fields (p_log_type, p_enrichment, ...).
Value KubernetesAuditView(absl::string_view log_type, const Value& event, EvalState& scratch);

}  // namespace detect::engine_internal

#endif  // DETECT_ENGINE_EVAL_KUBERNETES_VIEWS_H_
