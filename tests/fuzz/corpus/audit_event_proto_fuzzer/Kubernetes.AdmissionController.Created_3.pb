
Event:updateb1
mutatingwebhookconfigurationsexisting-webhookj(ÈòAmazon.EKS.Audit