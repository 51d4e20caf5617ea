
Event:createB
attacker@example.comb
clusterrolebindingsbackdoorj(“r?
=
roleRef2*0

kindClusterRole

namecluster-adminòAmazon.EKS.Audit