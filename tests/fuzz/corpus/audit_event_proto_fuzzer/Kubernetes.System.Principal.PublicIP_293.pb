òAzure.MonitorActivity‚aks-clusterú¦
£

ipinfo_asn”*‘
Ž
	sourceIPs€2~
|*z

asnAS8075

domainmicrosoft.com

type	hosting

p_match20.127.0.45

nameMicrosoft Corporation