
Event:createB
suspicious-user@example.combC
clusterrolebindingscontroller-access*rbac.authorization.k8s.ioj(Ér­
[
subjectsO2M
K*I

nameattacker-sa

kindServiceAccount

	namespace	default
N
roleRefC*A
(
name system:kube-controller-manager

kindClusterRoleòAmazon.EKS.Audit‚eks-cluster