
Eventaudit.k8s.io/v1*ResponseComplete:createB
developer@example.comZkubectl/v1.28.0b%
secrets
production
new-secret2v1j(ÉòAmazon.EKS.Audit