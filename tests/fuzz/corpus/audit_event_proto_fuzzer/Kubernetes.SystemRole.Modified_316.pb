
Event:updateB,
*system:serviceaccount:kube-system:operatorb6
clusterrolessystem:node*rbac.authorization.k8s.ioj(ÈòAmazon.EKS.Audit