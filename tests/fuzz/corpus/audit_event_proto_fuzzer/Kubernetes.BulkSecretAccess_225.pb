
Eventaudit.k8s.io/v1*ResponseComplete:getB
developer@example.comZkubectl/v1.28.0b(

configmaps
production
app-config2v1j(ÈòAmazon.EKS.Audit