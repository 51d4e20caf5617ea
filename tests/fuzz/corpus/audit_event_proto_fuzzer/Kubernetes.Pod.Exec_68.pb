
Eventaudit.k8s.io/v1"abc-1232./api/v1/namespaces/default/pods/nginx-pod/exec:createB,
john.doe@example.comsystem:authenticatedR1.2.3.4Zkubectl/v1.28.0b$
podsdefault	nginx-pod2v1Bexecj(eòAmazon.EKS.Audit‚eks-cluster