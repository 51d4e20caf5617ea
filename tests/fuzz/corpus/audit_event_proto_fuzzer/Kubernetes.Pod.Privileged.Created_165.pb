
Eventaudit.k8s.io/v1RequestResponse"abc-123*ResponseComplete2/api/v1/namespaces/default/pods:createB,
john.doe@company.comsystem:authenticatedR1.2.3.4Zkubectl/v1.28.0b(
podsdefaulttest-privileged-pod2v1j(…rÿ
E
metadata9*7

nametest-privileged-pod

	namespace	default

kindPod


apiVersionv1
l
specd*b
`

containersR2P
N*L

imagenginx

namenginx
'
securityContext*


privileged ÚAmazon.EKS.AuditÇeks-clusterä2024-02-13 12:45:06.073