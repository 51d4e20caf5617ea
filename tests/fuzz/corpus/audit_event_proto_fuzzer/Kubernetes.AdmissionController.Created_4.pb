
Event:createb

configmapstest-configj(ÉòAmazon.EKS.Audit