
Eventaudit.k8s.io/v1:createB
admin@example.comR1.2.3.4Zkubectl/v1.28.0bQ
mutatingwebhookconfigurationscustom-mutator*admissionregistration.k8s.io2v1j(ÉrÅ
ð
webhooksã2à
Ý*Ú
y
rulesp2n
l*j
$

operations2
CREATE
UPDATE

	apiGroups2
*

	resources2
*

apiVersions2
*

namemutate.example.com
?
clientConfig/*-
+
url$"https://webhook.example.com/mutate
&
kindMutatingWebhookConfiguration
(
metadata*

namecustom-mutatoròAmazon.EKS.Audit‚eks-cluster