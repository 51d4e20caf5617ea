
Event2R/api/v1/namespaces/default/pods/debug-pod/exec?command=/bin/sh&stdin=true&tty=true:createB
admin@example.comb 
podsdefault	debug-podBexecj(ÈòAmazon.EKS.Audit