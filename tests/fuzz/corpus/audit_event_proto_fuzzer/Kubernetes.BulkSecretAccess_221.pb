
Eventaudit.k8s.io/v1*ResponseComplete:listB
attacker@example.comZkubectl/v1.28.0b
secrets
production2v1j(ÈòAmazon.EKS.Audit