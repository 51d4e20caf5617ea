
Event:watchB+
)system:serviceaccount:kube-system:corednsR10.0.27.115j(“òAmazon.EKS.Audit