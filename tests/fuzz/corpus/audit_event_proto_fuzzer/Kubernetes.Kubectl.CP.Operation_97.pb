
Event2e/api/v1/namespaces/default/pods/secret-pod/exec?command=tar&command=cf&command=-&command=/app/secrets:createB
attacker@example.comb!
podsdefault
secret-podBexecj(“òAmazon.EKS.Audit