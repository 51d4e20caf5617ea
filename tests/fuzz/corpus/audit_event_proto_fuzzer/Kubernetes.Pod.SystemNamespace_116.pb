
Event:createB
suspicious-user@example.comb#
podskube-node-lease
hidden-podj(ÉrZ
I
specA*?
=

containers/2-
+*)

imagealpine:latest

nameapp

kindPodòAmazon.EKS.Audit‚eks-cluster