
Event:createb
podsdefault	nginx-podòAmazon.EKS.Audit