
Event*ResponseComplete:getB
system:unauthenticatedR1.2.3.4b
apisj(“òAmazon.EKS.Audit