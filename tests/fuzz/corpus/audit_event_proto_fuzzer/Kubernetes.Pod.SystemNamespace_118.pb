
Event:createB.
,system:serviceaccount:kube-system:controllerb
podskube-system
system-podj(Érl

kindPod
[
specS*Q
O

containersA2?
=*;
#
imagek8s.gcr.io/controller:v1

name
controlleròAmazon.EKS.Audit