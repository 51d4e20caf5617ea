
Event*ResponseComplete:getB+
)system:serviceaccount:kube-system:corednsR	not-an-ipR10.0.1.5b

servicesj(ÈòAmazon.EKS.Audit