
Event:createb
deploymentsdefaultweb-appj(ÉòAmazon.EKS.Audit