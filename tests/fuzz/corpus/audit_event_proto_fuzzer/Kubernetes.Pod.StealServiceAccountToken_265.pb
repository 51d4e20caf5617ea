
Event:createB
attacker@example.comb$
pods
production
secure-podBexecj(“rM
K
command@2>
cat
53/var/run/secrets/kubernetes.io/serviceaccount/tokenòAmazon.EKS.Audit