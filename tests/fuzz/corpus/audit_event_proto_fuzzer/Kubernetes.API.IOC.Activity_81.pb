
Eventaudit.k8s.io/v1"abc-1232/api/v1/namespaces/default/pods:listB
admin@example.comR1.2.3.4Zkubectl/v1.28.0b
podsdefault2v1j(ÈòAmazon.EKS.Audit‚eks-clusterú!

tor_exit_nodes2
	1.2.3.4