
Eventaudit.k8s.io/v1:createB
attacker@example.comR203.0.113.42Zkubectl/v1.28.0bD
clusterrolebindingsbackdoor-admin*rbac.authorization.k8s.io2v1j(…rù
k
subjects_2]
[*Y
'
apiGrouprbac.authorization.k8s.io

kindUser

nameattacker@example.com
f
roleRef[*Y
'
apiGrouprbac.authorization.k8s.io

kindClusterRole

namecluster-admin

kindClusterRoleBinding
(
metadata*

namebackdoor-adminÚAmazon.EKS.AuditÇeks-cluster