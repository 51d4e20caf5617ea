
Eventaudit.k8s.io/v1Request"
abcde12345*ResponseComplete2(/api/v1/namespaces/default/pods/test-podB
kubernetes-adminR8.8.8.8Zkubectl/v1.25.4b
podsdefaulttest-pod2v1j(È‚2022-11-29 00:09:04.38’\
authorization.k8s.io/reason=RBAC: allowed by ClusterRoleBinding system:public-info-viewer’&
authorization.k8s.io/decisionallowòAmazon.EKS.Auditú$4c859cd4-9406-469b-9e0e-c2dc1bee24fa‚example-cluster-eks-logsŠ2022-11-29 00:09:04.38’2022-11-29 00:10:25.067š 2e4ab474b0f0f7a4a8fff4f014a9b32a¢8.8.8.8²kubernetes-adminº/arn:aws:iam::123412341234:role/DevAdministratorÂ123412341234