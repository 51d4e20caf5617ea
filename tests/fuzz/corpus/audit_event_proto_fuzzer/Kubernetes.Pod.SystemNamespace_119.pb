
Event:createB
attacker@example.comb"
podskube-systemmalicious-podj(“ra

kindPod
P
specH*F
D

containers624
2*0

imageattacker:latest

name
backdooròAmazon.EKS.Audit