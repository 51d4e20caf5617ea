
Eventaudit.k8s.io/v1"abc-1232//apis/apps/v1/namespaces/kube-system/daemonsets:createB
admin@example.comR1.2.3.4Zkubectl/v1.28.0b4

daemonsetskube-systemmonitoring-agent2apps/v1j(Ér÷
F
metadata:*8

namemonitoring-agent

	namespacekube-system

kind	DaemonSet
—
specŽ*‹
6
selector**(
&
matchLabels*

app
monitoring
Ð
templateÃ*À
Š
spec*þ
X
volumesM2K
I*G

namedocker-sock
.
hostPath"* 

path/var/run/docker.sock
¡

containers’2
Œ*‰
R
volumeMountsB2@
>*<

namedocker-sock
#
	mountPath/var/run/docker.sock
"
imagemonitoring-agent:latest

nameagent
1
metadata%*#
!
labels*

app
monitoringòAmazon.EKS.Audit‚eks-cluster