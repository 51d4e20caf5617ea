
Event2s/api/v1/namespaces/default/pods/app-pod/exec?command=tar&command=xf&command=-&command=-C&command=/tmp&container=app:createb
podsdefaultapp-podBexecj(ÈòAmazon.EKS.Audit