
Event:updateB
admin@example.comb7
clusterrolescustom-admin*rbac.authorization.k8s.ioj(ÈòAmazon.EKS.Audit