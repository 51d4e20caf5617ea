
Event:createb
servicesdefaultj(Ér!

spec*

type	ClusterIPòAmazon.EKS.Audit