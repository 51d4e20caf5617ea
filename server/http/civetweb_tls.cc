// Loading the civetweb OpenSSL shims with dlopen, and SSL_CTX setup with the OpenSSL API.
#include "server/http/civetweb_tls.h"

#include <dlfcn.h>
#include <limits.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <stdlib.h>

#include <mutex>

#include "absl/strings/str_cat.h"

namespace detect::server {
namespace {

std::string OpenSslError() {
  const unsigned long e = ERR_get_error();
  ERR_clear_error();
  if (e == 0) return "unknown OpenSSL error";
  char buf[256];
  ERR_error_string_n(e, buf, sizeof(buf));
  return buf;
}

std::string ShimDirectory() {
  char exe[PATH_MAX];
  if (realpath("/proc/self/exe", exe) == nullptr) return "";
  std::string dir(exe);
  dir.resize(dir.rfind('/'));
  return dir + "/../lib/detectd";
}

absl::Status LoadShims() {
  const std::string dir = ShimDirectory();
  // libcrypto first: the libssl shim depends on libssl.so.3, which depends on libcrypto.so.3, not on the shim.
  for (const char* name : {"libdetectd_civetweb_crypto.so", "libdetectd_civetweb_ssl.so"}) {
    const std::string path = absl::StrCat(dir, "/", name);
    if (dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL) == nullptr) {
      return absl::FailedPreconditionError(absl::StrCat(
          "TLS on an HTTP listener needs ", path, " (installed beside detectd; see docs/architecture.md): ",
          dlerror()));
    }
  }
  // What civetweb will do: its dlopen by the unversioned names must now find the shims.
  void* ssl = dlopen("libssl.so", RTLD_NOW | RTLD_NOLOAD);
  void* crypto = dlopen("libcrypto.so", RTLD_NOW | RTLD_NOLOAD);
  if (ssl == nullptr || crypto == nullptr || dlsym(ssl, "SSL_get_peer_certificate") == nullptr ||
      dlsym(ssl, "SSL_CTX_new") == nullptr || dlsym(crypto, "ERR_get_error") == nullptr) {
    return absl::FailedPreconditionError(
        "the civetweb OpenSSL shims are loaded but dlopen(\"libssl.so\") does not resolve through them");
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status PrepareCivetwebOpenSsl() {
  static std::once_flag once;
  static absl::Status* status = nullptr;
  std::call_once(once, [] { status = new absl::Status(LoadShims()); });
  return *status;
}

absl::Status ConfigureSslContext(void* ssl_ctx, const HttpTlsOptions& o) {
  SSL_CTX* ctx = static_cast<SSL_CTX*>(ssl_ctx);
  ERR_clear_error();
  if (SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION) != 1) {
    return absl::InternalError(absl::StrCat("cannot require TLS 1.2: ", OpenSslError()));
  }
  SSL_CTX_set_options(ctx, SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE);
  if (SSL_CTX_use_certificate_chain_file(ctx, o.cert_file.c_str()) != 1) {
    return absl::InvalidArgumentError(absl::StrCat("cannot load certificate '", o.cert_file, "': ", OpenSslError()));
  }
  if (SSL_CTX_use_PrivateKey_file(ctx, o.key_file.c_str(), SSL_FILETYPE_PEM) != 1 ||
      SSL_CTX_check_private_key(ctx) != 1) {
    return absl::InvalidArgumentError(
        absl::StrCat("cannot load private key '", o.key_file, "' for '", o.cert_file, "': ", OpenSslError()));
  }
  if (!o.client_ca_file.empty()) {
    if (SSL_CTX_load_verify_locations(ctx, o.client_ca_file.c_str(), nullptr) != 1) {
      return absl::InvalidArgumentError(
          absl::StrCat("cannot load client CA '", o.client_ca_file, "': ", OpenSslError()));
    }
    STACK_OF(X509_NAME)* names = SSL_load_client_CA_file(o.client_ca_file.c_str());
    if (names != nullptr) SSL_CTX_set_client_CA_list(ctx, names);  // Takes ownership.
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER | (o.require_client_cert ? SSL_VERIFY_FAIL_IF_NO_PEER_CERT : 0),
                       nullptr);
    SSL_CTX_set_verify_depth(ctx, 4);
  } else {
    SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, nullptr);
  }
  return absl::OkStatus();
}

}  // namespace detect::server
