
Eventaudit.k8s.io/v1:createB9
7system:serviceaccount:kube-system:daemon-set-controllerR10.0.0.1b.

daemonsetskube-system
kube-proxy2apps/v1j(ÉòAmazon.EKS.Audit‚eks-cluster