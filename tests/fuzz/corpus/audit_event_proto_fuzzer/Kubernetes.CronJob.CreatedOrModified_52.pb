
Event:createb
cronjobsdefaulttest-jobj
Failure(“òAmazon.EKS.Audit