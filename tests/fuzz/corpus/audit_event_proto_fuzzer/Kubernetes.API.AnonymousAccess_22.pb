
Eventaudit.k8s.io/v1B
system:anonymousR	127.0.0.1òAmazon.EKS.Audit