
Eventaudit.k8s.io/v1Metadata"$e2626946-90e1-4d0c-829e-ad5a78572926*ResponseComplete2…/apis/discovery.k8s.io/v1/endpointslices?allowWatchBookmarks=true&resourceVersion=2528212&timeout=5m56s&timeoutSeconds=356&watch=true:watchBÈ
)system:serviceaccount:kube-system:coredns$5e4461f9-f529-4e66-9343-0b0cc9452284system:serviceaccounts"system:serviceaccounts:kube-systemsystem:authenticated"K
+authentication_kubernetes_io_slash_pod-name
coredns-57ff979f67-bl27n"V
*authentication_kubernetes_io_slash_pod-uid(
&$5b9488ae-5563-42aa-850b-b0d82edb3e22R5.5.5.5ZGo-http-client/2.0b&
endpointslices*discovery.k8s.io2v1j(È‚2022-11-29 22:34:06.892Š2022-11-29 22:40:02.903’›
authorization.k8s.io/reason|RBAC: allowed by ClusterRoleBinding "system:coredns" of ClusterRole "system:coredns" to ServiceAccount "coredns/kube-system"’&
authorization.k8s.io/decisionallowòAmazon.EKS.Auditú$4c859cd4-9406-469b-9e0e-c2dc1bee24fa‚example-cluster-eks-logsŠ2022-11-29 22:34:06.892’2022-11-29 22:45:25.024š c2a7d8dd7c858dcae0a1aaf314b2a207¢5.5.5.5²)system:serviceaccount:kube-system:coredns