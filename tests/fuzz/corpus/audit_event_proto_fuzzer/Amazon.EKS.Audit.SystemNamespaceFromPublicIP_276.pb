
Eventaudit.k8s.io/v1Metadata"$c8c5bc49-cd5d-45d6-999c-b55783c7840f*ResponseComplete2…/apis/discovery.k8s.io/v1/endpointslices?allowWatchBookmarks=true&resourceVersion=2529923&timeout=6m41s&timeoutSeconds=401&watch=true:watchBÈ
)system:serviceaccount:kube-system:coredns$5e4461f9-f529-4e66-9343-0b0cc9452284system:serviceaccounts"system:serviceaccounts:kube-systemsystem:authenticated"V
*authentication_kubernetes_io_slash_pod-uid(
&$5b9488ae-5563-42aa-850b-b0d82edb3e22"K
+authentication_kubernetes_io_slash_pod-name
coredns-57ff979f67-bl27nR5.5.5.5ZGo-http-client/2.0b&
endpointslices*discovery.k8s.io2v1j(“‚2022-11-29 22:46:37.995Š2022-11-29 22:46:38.013’&
authorization.k8s.io/decisionallow’›
authorization.k8s.io/reason|RBAC: allowed by ClusterRoleBinding "system:coredns" of ClusterRole "system:coredns" to ServiceAccount "coredns/kube-system"òAmazon.EKS.Auditú$4c859cd4-9406-469b-9e0e-c2dc1bee24fa‚example-cluster-eks-logsŠ2022-11-29 22:46:37.995’2022-11-29 22:50:24.942šfa229ed1d0b18094f4a1aff3149531¢5.5.5.5²)system:serviceaccount:kube-system:coredns