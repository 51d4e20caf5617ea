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
ABSL_FLAG(std::string, firehose_log_type, "",
          "p_log_type given to /v1/firehose events that have none; empty: Amazon.EKS.Audit for EKS log groups");

namespace detect::server {

void ApplyIngestAuthFlags(IngestOptions* options) {
  options->firehose_access_key_file = absl::GetFlag(FLAGS_firehose_access_key_file);
  options->firehose_source_label = absl::GetFlag(FLAGS_firehose_source_label);
  options->firehose_log_type = absl::GetFlag(FLAGS_firehose_log_type);
}

}  // namespace detect::server
