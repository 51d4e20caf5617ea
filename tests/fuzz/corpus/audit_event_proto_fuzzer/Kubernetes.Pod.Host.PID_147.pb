
Eventaudit.k8s.io/v1:createB
admin@example.comR1.2.3.4b
podsdefault
nginx-test2v1j(Érc

kindPod
R
specJ*H

hostPID 
7

containers)2'
%*#

namenginx

imagenginxòAmazon.EKS.Audit‚eks-cluster