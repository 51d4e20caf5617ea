
Event:createB
developer@example.comb
pods
productionapp-podj(ÉrU

kindPod
D
spec<*:
8

containers*2(
&*$

image
myapp:v1

nameappòAmazon.EKS.Audit