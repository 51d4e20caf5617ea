òAzure.MonitorActivityú!

tor_exit_nodes2
	1.2.3.4