
Eventaudit.k8s.io/v1:createB
developer@example.comR1.2.3.4Zkubectl/v1.28.0b
podsdefault	debug-pod2v1j(Ér¢

kindPod
T
specL*J

hostIPC 
9

containers+2)
'*%

namedebug

image	busybox
;
metadata/*-

name	debug-pod

	namespace	defaultòAmazon.EKS.Audit‚eks-cluster