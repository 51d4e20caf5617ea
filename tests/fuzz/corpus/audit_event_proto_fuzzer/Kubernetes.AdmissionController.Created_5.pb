
Event:createb/
validatingwebhookconfigurationstest-webhookj(“òAmazon.EKS.Audit