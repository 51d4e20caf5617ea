
Eventaudit.k8s.io/v1:getB
attacker@example.comR203.0.113.42Zkubectl/v1.28.0b-
secrets
productionnonexistent-secret2v1j+&secrets "nonexistent-secret" not found(”òAmazon.EKS.Audit‚eks-cluster