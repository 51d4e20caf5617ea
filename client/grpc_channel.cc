// Channel credentials and arguments.
#include "client/grpc_channel.h"

#include <fstream>
#include <sstream>

#include "absl/flags/flag.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "client/flags.h"
#include "common/read_file.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "grpcpp/support/channel_arguments.h"

namespace detect::client {

ChannelOptions ChannelOptionsFromFlags() {
  ChannelOptions o;
  o.server = absl::GetFlag(FLAGS_server);
  o.ca_file = absl::GetFlag(FLAGS_tls_ca);
  o.cert_file = absl::GetFlag(FLAGS_tls_cert);
  o.key_file = absl::GetFlag(FLAGS_tls_key);
  o.server_name = absl::GetFlag(FLAGS_tls_server_name);
  o.tls = absl::GetFlag(FLAGS_tls) || !o.ca_file.empty() || !o.cert_file.empty() || !o.key_file.empty();
  return o;
}

absl::StatusOr<std::shared_ptr<grpc::Channel>> MakeChannel(const ChannelOptions& options, int index) {
  grpc::ChannelArguments args;
  args.SetMaxReceiveMessageSize(-1);  // Responses grow with matches; the server bounds requests.
  args.SetMaxSendMessageSize(-1);
  if (index > 0) args.SetInt("detectctl.channel_index", index);  // Distinct args: a connection of its own.
  std::shared_ptr<grpc::ChannelCredentials> creds;
  if (!options.tls) {
    creds = grpc::InsecureChannelCredentials();
  } else {
    if (options.cert_file.empty() != options.key_file.empty()) {
      return absl::InvalidArgumentError("--tls_cert and --tls_key go together");
    }
    grpc::SslCredentialsOptions ssl;
    if (!options.ca_file.empty()) {
      absl::StatusOr<std::string> ca = ReadFlagFile(options.ca_file, "--tls_ca");
      if (!ca.ok()) return ca.status();
      ssl.pem_root_certs = *std::move(ca);
    }
    if (!options.cert_file.empty()) {
      absl::StatusOr<std::string> cert = ReadFlagFile(options.cert_file, "--tls_cert");
      if (!cert.ok()) return cert.status();
      absl::StatusOr<std::string> key = ReadFlagFile(options.key_file, "--tls_key");
      if (!key.ok()) return key.status();
      ssl.pem_cert_chain = *std::move(cert);
      ssl.pem_private_key = *std::move(key);
    }
    if (!options.server_name.empty()) args.SetSslTargetNameOverride(options.server_name);
    creds = grpc::SslCredentials(ssl);
  }
  return grpc::CreateCustomChannel(options.server, creds, args);
}

absl::StatusOr<std::unique_ptr<v1::DetectionService::Stub>> StubFromFlags() {
  absl::StatusOr<std::shared_ptr<grpc::Channel>> channel = MakeChannel(ChannelOptionsFromFlags());
  if (!channel.ok()) return channel.status();
  return v1::DetectionService::NewStub(*channel);
}

std::string RpcErrorText(const grpc::Status& status, const ChannelOptions& options) {
  std::string text = absl::StrCat(status.error_message(), " (gRPC code ", static_cast<int>(status.error_code()), ")");
  if (status.error_code() != grpc::StatusCode::UNAVAILABLE) return text;
  const std::string& m = status.error_message();
  const bool refused = absl::StrContains(m, "refused") || absl::StrContains(m, "resolve") ||
                       absl::StrContains(m, "DNS") || absl::StrContains(m, "No route");
  if (refused) return text;
  if (!options.tls) {
    absl::StrAppend(&text, "\n  hint: ", options.server,
                    " closed the connection; if it serves TLS, add --tls (and --tls_ca CA.pem when its certificate "
                    "is not signed by a system CA)");
  } else if (absl::StrContains(m, "andshake") || absl::StrContains(m, "SSL") || absl::StrContains(m, "ssl")) {
    absl::StrAppend(&text, "\n  hint: the TLS handshake with ", options.server,
                    " failed; check --tls_ca / --tls_server_name, or drop --tls if the server is plaintext");
  }
  return text;
}

std::chrono::system_clock::time_point CallDeadlineFromFlags() {
  return std::chrono::system_clock::now() +
         std::chrono::milliseconds(static_cast<int64_t>(absl::GetFlag(FLAGS_timeout) * 1000));
}

}  // namespace detect::client
