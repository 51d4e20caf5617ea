
Event:updateB
admin@example.comb9
clusterrolessystem:coredns*rbac.authorization.k8s.ioj(ÈòAmazon.EKS.Audit