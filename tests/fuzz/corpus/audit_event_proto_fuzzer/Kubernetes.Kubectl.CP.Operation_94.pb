
Event2o/api/v1/namespaces/default/pods/backup-pod/exec?command=tar&command=czf&command=backup.tar.gz&command=/app/data:createb!
podsdefault
backup-podBexecj(ÈòAmazon.EKS.Audit