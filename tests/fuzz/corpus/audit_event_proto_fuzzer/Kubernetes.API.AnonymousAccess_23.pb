
Eventaudit.k8s.io/v12/healthzB
system:anonymousR
10.0.1.100ZELB-HealthChecker/2.0j(ÈòAmazon.EKS.Audit