
Event*ResponseComplete:getB$
"system:serviceaccount:default:testR1.2.3.4b	
secretsj(“òAmazon.EKS.Audit