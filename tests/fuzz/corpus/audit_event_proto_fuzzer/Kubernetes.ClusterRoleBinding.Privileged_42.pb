
Event:createB
admin@example.combA
rolebindingsdefaultadmin-binding*rbac.authorization.k8s.ioj(Ér?
=
roleRef2*0

kindClusterRole

namecluster-adminòAmazon.EKS.Audit