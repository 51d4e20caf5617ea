
Event:createB
admin@example.comb 
podsdefault	debug-podBexecj(er2
	
tty 

stdin 

command2
	/bin/shòAmazon.EKS.Audit