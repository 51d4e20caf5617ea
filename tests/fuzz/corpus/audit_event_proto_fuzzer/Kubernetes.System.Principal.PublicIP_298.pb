ÚAzure.MonitorActivityÇaks-cluster˙ß
§

ipinfo_asnï*í
è
	sourceIPsÅ2
}*{

domainmicrosoft.com

asnAS8075

type	hosting

nameMicrosoft Corporation

p_match20.127.0.100