
Eventaudit.k8s.io/v1"abc-1232*/apis/batch/v1/namespaces/default/cronjobs:createB
admin@example.comR1.2.3.4Zkubectl/v1.28.0b)
cronjobsdefault
backup-job2batch/v1j(Érö
<
metadata0*.

name
backup-job

	namespace	default

kind	CronJob
¢
spec™*–

schedule	0 2 * * *
{
jobTemplatel*j
h
spec`*^
\
templateP*N
L
specD*B
@

containers220
.*,

namebackup

imagebackup:latestòAmazon.EKS.Audit‚eks-cluster