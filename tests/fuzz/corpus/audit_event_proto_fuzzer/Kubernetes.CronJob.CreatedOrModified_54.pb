
Event:getb!
cronjobsdefaultexisting-jobj(ÈòAmazon.EKS.Audit