
Event:getB
admin@example.comb
secretsdefault
app-configj(ÈòAmazon.EKS.Audit