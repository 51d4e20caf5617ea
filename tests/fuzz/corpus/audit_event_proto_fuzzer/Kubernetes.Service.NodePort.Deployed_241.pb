
Event:createb
servicesdefaultj
Failure(™r 

spec*

type
NodePortòAmazon.EKS.Audit