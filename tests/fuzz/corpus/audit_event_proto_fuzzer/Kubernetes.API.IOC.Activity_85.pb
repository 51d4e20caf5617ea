
Event:listB
admin@example.comR192.168.1.1b
podsòAmazon.EKS.Audit‚eks-cluster