// The libcrypto half of the civetweb OpenSSL shim (see ssl_shim.cc): SONAME "libcrypto.so", depending on the
// real libcrypto.so.3. civetweb dlopen()s "libcrypto.so" by that unversioned name, which only the -dev package
// provides as a file; with this library loaded first, the loader answers with it and dlsym() finds every
// function in libcrypto.so.3, so the runtime image needs no -dev package. It defines nothing else.
#include <openssl/crypto.h>

extern "C" __attribute__((visibility("default"))) unsigned long detectd_civetweb_crypto_shim_version();
unsigned long detectd_civetweb_crypto_shim_version() { return OpenSSL_version_num(); }  // Keeps the dependency.
