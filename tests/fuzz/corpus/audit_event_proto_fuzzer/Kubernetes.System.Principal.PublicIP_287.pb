ÚGCP.AuditLogÇgke-cluster˙ì
ê

ipinfo_asnÅ*
}
callerIPq2o
m*k

domainexample-isp.com

typeisp

p_match	1.2.3.4

asn	AS12345

nameExample ISP