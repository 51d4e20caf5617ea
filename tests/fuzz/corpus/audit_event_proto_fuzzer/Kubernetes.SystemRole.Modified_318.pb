
Event:getB
admin@example.comb7
clusterrolessystem:admin*rbac.authorization.k8s.ioj(ÈòAmazon.EKS.Audit