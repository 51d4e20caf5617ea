
Event:getB&
$system:serviceaccount:default:app-sab"
secrets
productionadmin-tokenj	Forbidden(“òAmazon.EKS.Audit‚eks-cluster