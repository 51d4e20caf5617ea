
Event:listB
attacker@example.comb
secrets
productionj(“òAmazon.EKS.Audit