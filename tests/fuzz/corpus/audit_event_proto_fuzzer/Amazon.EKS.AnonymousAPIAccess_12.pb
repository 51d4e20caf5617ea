
Eventaudit.k8s.io/v1Metadata"$d976bfc6-a2bc-49d5-bdeb-074441e0b875*ResponseComplete2/version:getB*
system:anonymoussystem:unauthenticatedR44.238.138.237Zpython-requests/2.31.0j(È‚2024-11-13 18:34:10.595141000Š2024-11-13 18:34:10.595494000’&
authorization.k8s.io/decisionallow’¬
authorization.k8s.io/reasonŒRBAC: allowed by ClusterRoleBinding "system:public-info-viewer" of ClusterRole "system:public-info-viewer" to Group "system:unauthenticated"