
Event:updateB
attacker@example.comb7
clusterrolessystem:admin*rbac.authorization.k8s.ioj(“òAmazon.EKS.Audit