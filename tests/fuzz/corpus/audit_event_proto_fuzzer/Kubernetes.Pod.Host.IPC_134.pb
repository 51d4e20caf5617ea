
Event:createB*
(system:serviceaccount:kube-system:daemonb
podskube-systemj(ÉrB
@
spec8*6
%

containers2
*

nameagent

hostIPC òAmazon.EKS.Audit