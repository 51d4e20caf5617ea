
Event*ResponseComplete:getB
admin@example.comR1.2.3.4b
podsj(ÈòAmazon.EKS.Audit