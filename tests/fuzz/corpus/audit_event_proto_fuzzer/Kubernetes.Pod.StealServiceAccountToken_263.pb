
Event:createB.
,system:serviceaccount:kube-system:controllerb
podsdefaultapp-podBexecj(erM
K
command@2>
cat
53/var/run/secrets/kubernetes.io/serviceaccount/tokenòAmazon.EKS.Audit