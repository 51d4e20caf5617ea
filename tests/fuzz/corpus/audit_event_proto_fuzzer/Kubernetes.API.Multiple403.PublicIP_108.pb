
Event:getR5.5.5.5j(ÈòAmazon.EKS.Audit