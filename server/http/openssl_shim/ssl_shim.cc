// A shared library that detectd loads (by absolute path, before civetweb initializes TLS) so that Debian's
// civetweb 1.15, built for OpenSSL 1.1, works with OpenSSL 3. civetweb dlopen()s "libssl.so" and dlsym()s each
// OpenSSL function it uses by name; OpenSSL 3 no longer exports SSL_get_peer_certificate (it became a macro for
// SSL_get1_peer_certificate), so civetweb's pointer stays null and every TLS connection crashes on it. This
// library's SONAME is "libssl.so": once loaded, the dynamic loader answers civetweb's dlopen("libssl.so") with
// it, and dlsym() on it finds SSL_get_peer_certificate here and every other function in its dependency, the
// real libssl.so.3. See docs/architecture.md ("TLS on the ingest port").
#include <openssl/ssl.h>

#undef SSL_get_peer_certificate

extern "C" {
// The OpenSSL 1.1 function: the peer's certificate with its reference count raised (the caller frees it), the
// same contract as OpenSSL 3's SSL_get1_peer_certificate.
__attribute__((visibility("default"))) X509* SSL_get_peer_certificate(const SSL* ssl);
X509* SSL_get_peer_certificate(const SSL* ssl) { return SSL_get1_peer_certificate(ssl); }
}
