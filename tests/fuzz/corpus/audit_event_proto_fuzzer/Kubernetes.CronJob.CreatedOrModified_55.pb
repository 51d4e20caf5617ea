
Eventaudit.k8s.io/v1:createB6
4system:serviceaccount:kube-system:cronjob-controllerR10.0.0.1b1
cronjobskube-systemsystem-cleanup2batch/v1j(ÉòAmazon.EKS.Audit‚eks-cluster