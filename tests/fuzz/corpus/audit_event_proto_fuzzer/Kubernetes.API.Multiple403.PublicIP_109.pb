
Event:getj(“òAmazon.EKS.Audit