
Event:createB9
7system:serviceaccount:kube-system:deployment-controllerb"
podskube-systemnetwork-agentj(Érk
Z
specR*P
N

containers@2>
<*:
'
securityContext*


privileged 

nameagent

kindPodòAmazon.EKS.Audit