
Eventaudit.k8s.io/v1"abc-123:createB
admin@example.comR1.2.3.4Zkubectl/v1.28.0b
podsdefault
nginx-test2v1j(Ér¹
<
metadata0*.

	namespace	default

name
nginx-test

kindPod
V
specN*L
7

containers)2'
%*#

namenginx

imagenginx

hostNetwork 


apiVersionv1òAmazon.EKS.Audit‚eks-cluster