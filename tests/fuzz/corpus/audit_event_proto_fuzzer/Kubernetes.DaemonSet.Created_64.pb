
Event:updateb&

daemonsetskube-systemexisting-dsj(ÈòAmazon.EKS.Audit