
Eventaudit.k8s.io/v1*ResponseComplete:getBY
)system:serviceaccount:kube-system:corednssystem:serviceaccountssystem:authenticatedR1.2.3.4b
endpointslices2v1j(ÈòAmazon.EKS.Audit‚eks-clusterú•
’

ipinfo_asnƒ*€
~
	sourceIPsq2o
m*k

domainexample-isp.com

typeisp

p_match	1.2.3.4

nameExample ISP

asn	AS12345