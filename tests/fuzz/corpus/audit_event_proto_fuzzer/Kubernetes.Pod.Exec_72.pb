
Event:getb
podsdefault	nginx-podòAmazon.EKS.Audit