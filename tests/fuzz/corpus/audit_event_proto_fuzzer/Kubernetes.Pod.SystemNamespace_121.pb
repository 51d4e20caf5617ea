
Eventaudit.k8s.io/v1:createB
eks:node-managerR34.210.208.192Z&Kubernetes Java Client/18.0.0-SNAPSHOTbB
podskube-systemmetrics-server-86c5f959ff-rcxtk2v1BevictionjWACannot evict pod as it would violate the pod's disruption budget.TooManyRequests(­r†


apiVersion	policy/v1

kind
Eviction
U
metadataI*G
)
name!metrics-server-86c5f959ff-rcxtk

	namespacekube-systemòAmazon.EKS.Audit‚eks-cluster