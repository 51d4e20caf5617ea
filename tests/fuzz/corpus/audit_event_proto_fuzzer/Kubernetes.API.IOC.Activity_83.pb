òGCP.AuditLog‚gke-clusterú!

tor_exit_nodes2
	8.8.8.8