// TLS for HttpServer: civetweb's TLS with an SSL_CTX that detectd configures itself (certificate chain, key,
// client CA, TLS 1.2+), and the OpenSSL shims that let Debian's civetweb 1.15 (built for OpenSSL 1.1) run on
// OpenSSL 3. docs/architecture.md ("TLS on the ingest port") says why the shims exist and how they work.
#ifndef DETECT_SERVER_HTTP_CIVETWEB_TLS_H_
#define DETECT_SERVER_HTTP_CIVETWEB_TLS_H_

#include <string>

#include "absl/status/status.h"

namespace detect::server {

struct HttpTlsOptions {
  std::string cert_file;       // PEM certificate chain; empty: plain HTTP.
  std::string key_file;        // PEM private key of cert_file.
  std::string client_ca_file;  // PEM CA bundle clients' certificates are verified against; empty: none asked.
  // With client_ca_file: refuse the handshake without a client certificate. Otherwise one is optional (the
  // handshake still fails for a certificate that does not verify) and the handler decides.
  bool require_client_cert = false;
};

// Loads the shims (once per process) from <directory of the executable>/../lib/detectd and checks that
// civetweb's dlopen("libssl.so") now resolves SSL_get_peer_certificate. FailedPrecondition naming the missing
// file otherwise: TLS must not start, since civetweb would crash on the first connection.
absl::Status PrepareCivetwebOpenSsl();

// Configures `ssl_ctx` (an SSL_CTX*) from `options`; the error names the file and OpenSSL's reason.
absl::Status ConfigureSslContext(void* ssl_ctx, const HttpTlsOptions& options);

}  // namespace detect::server

#endif  // DETECT_SERVER_HTTP_CIVETWEB_TLS_H_
