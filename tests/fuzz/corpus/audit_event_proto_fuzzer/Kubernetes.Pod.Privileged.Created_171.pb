
Event:createb
podsdefaultj
Failure(™rk

kindPod
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
namenginxòAmazon.EKS.Audit