
Eventaudit.k8s.io/v1*ResponseComplete:getB
attacker@example.comZkubectl/v1.28.0b$
secrets
production	api-token2v1j(“òAmazon.EKS.Audit