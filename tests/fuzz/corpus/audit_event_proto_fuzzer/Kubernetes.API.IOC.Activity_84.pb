òGCP.AuditLogú!

tor_exit_nodes2
	8.8.8.8