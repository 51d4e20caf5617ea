
Eventaudit.k8s.io/v12/healthzB
system:anonymousR
10.128.0.1Zkube-probe/1.28j(ÈòAmazon.EKS.Audit