
Event*ResponseComplete:watchB+
)system:serviceaccount:kube-system:corednsR10.0.27.115b
endpointslicesj(ÈòAmazon.EKS.Audit