
Event:createB.
,system:serviceaccount:kube-system:controllerb%
clusterrolebindingssystem-bindingj(Ér?
=
roleRef2*0

namecluster-admin

kindClusterRoleòAmazon.EKS.Audit