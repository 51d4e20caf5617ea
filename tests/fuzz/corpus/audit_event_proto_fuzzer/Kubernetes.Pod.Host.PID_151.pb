
Event:createb
podsdefaultj(“r

spec*

hostPID òAmazon.EKS.Audit