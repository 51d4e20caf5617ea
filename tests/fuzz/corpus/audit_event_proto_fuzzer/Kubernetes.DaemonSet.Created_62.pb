
Event:createb

daemonsetsdefaulttest-dsj
Failure(“òAmazon.EKS.Audit