
Event:getB
admin@example.comb$
clusterrolebindingsadmin-bindingj(ÈòAmazon.EKS.Audit