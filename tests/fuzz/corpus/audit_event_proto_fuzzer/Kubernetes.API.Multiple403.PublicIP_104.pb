
Eventaudit.k8s.io/v1"abc-123*ResponseComplete:watchB+
)system:serviceaccount:kube-system:corednsR5.5.5.5ZGo-http-client/2.0b&
endpointslices*discovery.k8s.io2v1j(“òAmazon.EKS.Audit‚eks-cluster¢5.5.5.5