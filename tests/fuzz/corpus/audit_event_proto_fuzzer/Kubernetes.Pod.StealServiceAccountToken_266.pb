
Eventaudit.k8s.io/v1:createB
attacker@example.comR	10.0.1.50b&
pods
productionirsa-pod2v1Bexecj(ers

stdout 
O
commandD2B
cat
97/var/run/secrets/eks.amazonaws.com/serviceaccount/token

	containerappòAmazon.EKS.Audit‚eks-prod-cluster