
Event2d/api/v1/namespaces/kube-system/pods/debug-pod/exec?command=tar&command=cf&command=-&command=/var/log:createB)
'system:serviceaccount:kube-system:debugb$
podskube-system	debug-podBexecj(ÈòAmazon.EKS.Audit