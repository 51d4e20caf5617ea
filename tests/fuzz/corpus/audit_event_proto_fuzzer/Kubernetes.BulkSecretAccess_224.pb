
Eventaudit.k8s.io/v1*ResponseComplete:listB8
6system:serviceaccount:kube-system:namespace-controllerZkube-controller-manager/v1.28.0b
secrets2v1j(ÈòAmazon.EKS.Audit