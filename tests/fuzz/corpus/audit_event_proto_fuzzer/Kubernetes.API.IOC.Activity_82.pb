òAzure.MonitorActivity‚aks-clusterú!

tor_exit_nodes2
	5.5.5.5