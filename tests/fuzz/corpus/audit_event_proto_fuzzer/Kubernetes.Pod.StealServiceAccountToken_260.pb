
Event:createB
attacker@example.comb&
podsdefaultcompromised-podBexecj(erS
Q
commandF2D
tar
czf
-
/-/var/run/secrets/kubernetes.io/serviceaccountòAmazon.EKS.Audit‚eks-cluster