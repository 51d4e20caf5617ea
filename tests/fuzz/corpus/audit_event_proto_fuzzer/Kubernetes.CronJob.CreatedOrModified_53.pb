
Event:createb
podsdefaultj(ÉòAmazon.EKS.Audit