
Event:createb
podsdefaultj(“rA
?
spec7*5

hostIPC 
$

containers2
*

nametestòAmazon.EKS.Audit