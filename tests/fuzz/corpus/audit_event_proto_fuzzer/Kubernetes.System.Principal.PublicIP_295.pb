ÚGCP.AuditLogÇgke-cluster˙ô
ñ

ipinfo_asná*Ñ
Å
callerIPu2s
q*o

domain
google.com

asn	AS15169

p_match35.186.224.25

type	hosting

name
Google LLC