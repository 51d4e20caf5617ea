// TLS and mTLS, with certificates made by openssl at test time (make_test_certs.sh): a client without a
// certificate, with one from another CA, or with an expired one is refused; the plaintext health port still
// answers probes.
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/integration/test_server.h"
#include "tests/testing/test_files.h"

namespace detect::test_support {
namespace {

using HealthResponse = grpc::health::v1::HealthCheckResponse;


class TlsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    certs_ = new TempDir();
    const std::string cmd =
        "bash " + SourceDir() + "/tests/integration/make_test_certs.sh " + certs_->path();
    ASSERT_EQ(std::system(cmd.c_str()), 0) << "openssl (a test dependency) could not make certificates";
  }
  static void TearDownTestSuite() { delete certs_; }

  static std::string Cert(const std::string& name) { return certs_->Sub(name); }

  // Credentials trusting our CA, optionally presenting a client certificate `client` (+ client.key).
  static std::shared_ptr<grpc::ChannelCredentials> Creds(const std::string& client = "",
                                                         const std::string& ca = "ca.pem") {
    grpc::SslCredentialsOptions ssl;
    ssl.pem_root_certs = ReadWholeFile(Cert(ca));
    if (!client.empty()) {
      ssl.pem_cert_chain = ReadWholeFile(Cert(client));
      ssl.pem_private_key = ReadWholeFile(Cert("client.key"));
    }
    return grpc::SslCredentials(ssl);
  }

  static grpc::Status Call(int port, std::shared_ptr<grpc::ChannelCredentials> creds) {
    auto stub = v1::DetectionService::NewStub(Connect(port, std::move(creds)));
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
    v1::EvaluateResponse response;
    return stub->Evaluate(&ctx, MakeRequest(SeedEvents(), false), &response);
  }

  static server::DaemonOptions Options(bool mtls, const std::string& cert = "server.pem") {
    server::DaemonOptions o = TestOptions("rules");
    o.tls_cert = Cert(cert);
    o.tls_key = Cert("server.key");
    if (mtls) o.tls_client_ca = Cert("ca.pem");
    return o;
  }

  static TempDir* certs_;
};
TempDir* TlsTest::certs_ = nullptr;

TEST_F(TlsTest, ServerTls) {
  TestServer server(Options(/*mtls=*/false));
  ASSERT_NE(server.daemon, nullptr);
  const int port = server.daemon->port();
  EXPECT_TRUE(Call(port, Creds()).ok());
  EXPECT_TRUE(Call(port, Creds("client.pem")).ok());  // A client certificate is not required, nor harmful.
  EXPECT_FALSE(Call(port, grpc::InsecureChannelCredentials()).ok());
  EXPECT_FALSE(Call(port, Creds("", "other_ca.pem")).ok()) << "the client must not trust a server of another CA";
}

// A renewed certificate (cert-manager rewrites the Secret's files) serves new connections without a restart.
TEST_F(TlsTest, RenewedCertificateIsServedWithoutRestart) {
  TempDir live;
  const std::string cert = live.Sub("tls.crt"), key = live.Sub("tls.key");
  WriteFile(cert, ReadWholeFile(Cert("server.pem")));
  WriteFile(key, ReadWholeFile(Cert("server.key")));
  server::DaemonOptions o = TestOptions("rules");
  o.tls_cert = cert;
  o.tls_key = key;
  o.tls_reload_interval = absl::Seconds(1);
  TestServer server(std::move(o));
  ASSERT_NE(server.daemon, nullptr);
  const int port = server.daemon->port();
  ASSERT_TRUE(Call(port, Creds()).ok());
  EXPECT_FALSE(Call(port, Creds("", "other_ca.pem")).ok()) << "served the other CA's certificate before renewal";
  WriteFile(cert, ReadWholeFile(Cert("other_server.pem")));  // Same key, certified by the other CA.
  // Each attempt is a new channel, so a new handshake with whatever the server holds now.
  EXPECT_TRUE(Eventually([&] { return Call(port, Creds("", "other_ca.pem")).ok(); }, std::chrono::seconds(20)))
      << "the renewed certificate was not served within 20 s (reload interval 1 s)";
  EXPECT_FALSE(Call(port, Creds()).ok()) << "still serving the old certificate after the renewal";
}

TEST_F(TlsTest, MutualTlsRefusesClientsWithoutAValidCertificate) {
  TestServer server(Options(/*mtls=*/true));
  ASSERT_NE(server.daemon, nullptr);
  const int port = server.daemon->port();
  EXPECT_TRUE(Call(port, Creds("client.pem")).ok());
  EXPECT_EQ(Call(port, Creds()).error_code(), grpc::StatusCode::UNAVAILABLE) << "no client certificate";
  EXPECT_FALSE(Call(port, Creds("other_client.pem")).ok()) << "client certificate from another CA";
  EXPECT_FALSE(Call(port, Creds("expired_client.pem")).ok()) << "expired client certificate";
  EXPECT_FALSE(Call(port, grpc::InsecureChannelCredentials()).ok());
  // Kubernetes probes use the plaintext health-only port.
  EXPECT_EQ(HealthStatus(server.daemon->health_port()), HealthResponse::SERVING);
}

TEST_F(TlsTest, ClientsRefuseAnExpiredServerCertificate) {
  TestServer server(Options(/*mtls=*/false, "expired_server.pem"));
  ASSERT_NE(server.daemon, nullptr);
  EXPECT_FALSE(Call(server.daemon->port(), Creds()).ok());
}

TEST_F(TlsTest, MisconfiguredTlsIsAStartupError) {
  server::DaemonOptions o = TestOptions("rules");
  o.tls_cert = Cert("server.pem");  // No key.
  EXPECT_FALSE(server::Daemon::Start(o).ok());
  o.tls_key = Cert("missing.key");
  EXPECT_FALSE(server::Daemon::Start(o).ok());
}

}  // namespace
}  // namespace detect::test_support
