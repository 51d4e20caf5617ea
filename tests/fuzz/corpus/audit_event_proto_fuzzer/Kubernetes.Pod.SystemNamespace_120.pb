
Event:createB
developer@example.comb+
deploymentskube-systemtest-deploymentj(ÉòAmazon.EKS.Audit