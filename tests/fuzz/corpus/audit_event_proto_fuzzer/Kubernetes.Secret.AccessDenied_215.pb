
Event:getB.
,system:serviceaccount:kube-system:controllerb
secretskube-systemtokenj(“òAmazon.EKS.Audit