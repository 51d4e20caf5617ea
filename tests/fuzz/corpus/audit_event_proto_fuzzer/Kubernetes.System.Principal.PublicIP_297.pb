
Event*ResponseComplete:watchB#
!system:serviceaccount:default:appR10.0.1.5R54.212.83.236b
	endpointsj(ÈòAmazon.EKS.Audit