
Eventaudit.k8s.io/v1Metadata*ResponseComplete2/healthzB
system:anonymousR54.10.20.30ZELB-HealthChecker/2.0j(È’\
authorization.k8s.io/reason=RBAC: allowed by ClusterRoleBinding system:public-info-viewer’&
authorization.k8s.io/decisionallow