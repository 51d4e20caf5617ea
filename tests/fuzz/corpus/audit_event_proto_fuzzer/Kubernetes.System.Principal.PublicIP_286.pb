ÚAzure.MonitorActivityÇaks-cluster˙í
è

ipinfo_asnÄ*~
|
	sourceIPso2m
k*i

name
Google LLC

domain
google.com

p_match	8.8.8.8

type	hosting

asn	AS15169