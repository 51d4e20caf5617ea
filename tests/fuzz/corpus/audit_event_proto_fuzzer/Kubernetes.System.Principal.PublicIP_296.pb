òGCP.AuditLog‚gke-clusterúP
N

ipinfo_asn@*>
<
callerIP02.
,**

domain
google.com

asn	AS15169