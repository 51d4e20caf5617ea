
Event*ResponseComplete:getB—
eks:addon-managersystem:authenticated"l
arne
caarn:aws:sts::123412341234:assumed-role/AWSWesleyClusterManagerLambda-Add-AddonManagerRole/sessionR35.163.244.48b
deploymentskube-systemj(ÈòAmazon.EKS.Audit