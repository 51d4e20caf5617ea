
Event:createB
admin@example.comb%
podskube-system
system-podBexecj(erM
K
command@2>
cat
53/var/run/secrets/kubernetes.io/serviceaccount/tokenòAmazon.EKS.Audit