
Event:createb
podsdefaultj
Failure(“rU

kindPod
D
spec<*:

hostNetwork 
%

containers2
*

namenginxòAmazon.EKS.Audit