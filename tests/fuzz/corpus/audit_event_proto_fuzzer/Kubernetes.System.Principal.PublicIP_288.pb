
Eventaudit.k8s.io/v1*ResponseComplete:createB]
7system:node:ip-192-168-3-178.us-west-2.compute.internalsystem:nodessystem:authenticatedR54.212.83.236b
serviceaccountsBtokenj(…ÚAmazon.EKS.AuditÇeks-cluster˙æ
ª

ipinfo_asn¨*©
¶
	sourceIPsò2ï
í*è

nameAmazon.com, Inc.

route54.212.0.0/16

type	hosting

asn	AS16509

p_match54.212.83.236

domain
amazon.com