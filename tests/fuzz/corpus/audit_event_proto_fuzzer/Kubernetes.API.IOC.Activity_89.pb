òAzure.MonitorActivity‚aks-clusterú'
%
tor_exit_nodes2
185.220.101.7