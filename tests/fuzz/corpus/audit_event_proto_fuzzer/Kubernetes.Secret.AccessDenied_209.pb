
Eventaudit.k8s.io/v1:getB
attacker@example.comR203.0.113.42Zkubectl/v1.28.0b&
secrets
productiondb-password2v1jHCForbidden: User cannot get resource secrets in namespace production(“òAmazon.EKS.Audit‚eks-cluster