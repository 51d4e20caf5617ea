// The --firehose_* flags of detectd (docs/ingest.md shows them in a Firehose setup).
#include "server/ingest/ingest_auth_flags.h"

#include <string>

#include "absl/flags/flag.h"

ABSL_FLAG(std::string, firehose_access_key_file, "",
          "File holding the access key of the Amazon Data Firehose HTTP endpoint destination; /v1/firehose "
          "requests must carry it in X-Amz-Firehose-Access-Key. Empty: the --ingest_token_file token, if any");
ABSL_FLAG(std::string, firehose_source_label, "",
          "p_source_label given to /v1/firehose events that have none; empty: the cluster name of the log group "
          "/aws/eks/<cluster>/cluster (else the log group's name)");
ABSL_FLAG(std::string, ingest_client_ca, "",
          "PEM CA bundle that verifies ingest clients' certificates (mTLS on --ingest_listen, which then needs "
          "--tls_cert/--tls_key): a verified certificate authenticates /v1/k8s-audit and /v1/events, as the API "
          "server's webhook kubeconfig client certificate. Alone it is required at the TLS handshake; with "
          "--ingest_token_file or --firehose_access_key_file it is optional and each request needs one of them");
ABSL_FLAG(std::string, firehose_log_type, "",
          "p_log_type given to /v1/firehose events that have none; empty: Amazon.EKS.Audit for EKS log groups");

namespace detect::server {

void ApplyIngestAuthFlags(IngestOptions* options) {
  options->firehose_access_key_file = absl::GetFlag(FLAGS_firehose_access_key_file);
  options->firehose_source_label = absl::GetFlag(FLAGS_firehose_source_label);
  options->firehose_log_type = absl::GetFlag(FLAGS_firehose_log_type);
  options->client_ca_file = absl::GetFlag(FLAGS_ingest_client_ca);
}

}  // namespace detect::server
