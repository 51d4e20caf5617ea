
Event:getB
user@example.comb!

configmapsdefault
app-configj(“òAmazon.EKS.Audit