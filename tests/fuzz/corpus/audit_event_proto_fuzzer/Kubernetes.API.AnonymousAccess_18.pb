
Eventaudit.k8s.io/v1Request"
abcde12345*ResponseComplete2(/api/v1/namespaces/default/pods/test-podB
system:anonymousR8.8.8.8Zkubectl/v1.25.4b
podsdefaulttest-pod2v1j(È‚2022-11-29 00:09:04.38’\
authorization.k8s.io/reason=RBAC: allowed by ClusterRoleBinding system:public-info-viewer’&
authorization.k8s.io/decisionallowòAmazon.EKS.Audit‚example-cluster-eks-logsŠ2022-11-29 00:09:04.38¢8.8.8.8²system:anonymous