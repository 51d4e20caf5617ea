
Eventaudit.k8s.io/v1Request"$43410f6e-9c19-482b-b2c7-f2cde260b0e9*ResponseComplete2D/apis/apps/v1/namespaces/kube-system/deployments/coredns?timeout=10s:getB°
eks:addon-manager8aws-iam-authenticator:123412341234:AROATAVZDPHFJWUSNL3ZVsystem:authenticated"'
accessKeyId
ASIAXXXXXXXXXXXXXXXX"r
canonicalArnb
`^arn:aws:iam::123412341234:role/AWSWesleyClusterManagerLambda-Add-AddonManagerRole-G332QAM69HWF"&
sessionName
1669918824986835422"…
arn~
|zarn:aws:sts::123412341234:assumed-role/AWSWesleyClusterManagerLambda-Add-AddonManagerRole-G332QAM69HWF/1669918824986835422R35.163.244.48ZGo-http-client/1.1b-
deploymentskube-systemcoredns*apps2v1j(È‚2022-12-01 18:20:25.054Š2022-12-01 18:20:25.078’“
authorization.k8s.io/reasontRBAC: allowed by RoleBinding "eks:addon-manager/kube-system" of Role "eks:addon-manager" to User "eks:addon-manager"’&
authorization.k8s.io/decisionallowòAmazon.EKS.Auditú$4c859cd4-9406-469b-9e0e-c2dc1bee24fa‚example-cluster-eks-logsŠ2022-12-01 18:20:25.054’2022-12-01 18:24:24.734ša22a2e182591cfb8ead2f7f7149215¢35.163.244.48²eks:addon-managerº^arn:aws:iam::123412341234:role/AWSWesleyClusterManagerLambda-Add-AddonManagerRole-G332QAM69HWFºzarn:aws:sts::123412341234:assumed-role/AWSWesleyClusterManagerLambda-Add-AddonManagerRole-G332QAM69HWF/1669918824986835422Â123412341234