
Event:getb
podsdefaultòAmazon.EKS.Audit