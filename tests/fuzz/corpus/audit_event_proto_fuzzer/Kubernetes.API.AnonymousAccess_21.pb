
Eventaudit.k8s.io/v1Request"
abcde12345*ResponseComplete2(/api/v1/namespaces/default/pods/test-podB
kubernetes-adminR8.8.8.8Zkubectl/v1.25.4b
podsdefaulttest-pod2v1j(È’&
authorization.k8s.io/decisionallow’B
authorization.k8s.io/reason#RBAC: allowed by ClusterRoleBindingòAmazon.EKS.Audit‚example-cluster-eks-logsŠ2022-11-29 00:09:04.38¢8.8.8.8²kubernetes-admin