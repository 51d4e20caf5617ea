
Eventaudit.k8s.io/v1:createB
attacker@example.comR203.0.113.42Zkubectl/v1.28.0b&
podskube-systemmalicious-pod2v1j(Ér¯

kindPod
Y
specQ*O
M

containers?2=
;*9

name
backdoor
#
imageattacker/backdoor:latest
C
metadata7*5

	namespacekube-system

namemalicious-podòAmazon.EKS.Audit‚eks-cluster