
Event:getb
servicesdefaultòAmazon.EKS.Audit