// HttpServer (civetweb): exact-path routes, methods, the body limit, admission before the body, addresses.
#include "server/http/http_server.h"

#include <atomic>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/loopback_http.h"

namespace detect::server {
namespace {

using ::detect::test_support::HttpExchange;
using ::testing::HasSubstr;
using ::testing::StartsWith;

class HttpServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::vector<HttpRoute> routes;
    routes.push_back({"/metrics", {"GET", "HEAD"}, 0, nullptr, [](HttpRequest&) {
                        HttpResponse r;
                        r.body = "detectd_up 1\n";
                        return r;
                      }});
    routes.push_back({"/echo", {"POST"}, 10,
                      [this](HttpRequest& r) -> std::optional<HttpResponse> {
                        if (r.header("Authorization") == "Bearer ok") return std::nullopt;
                        HttpResponse refused;
                        refused.status = 401;
                        return refused;
                      },
                      [this](HttpRequest& r) {
                        ++handled_;
                        HttpResponse out;
                        out.body = absl::StrCat(r.query, "|", r.body);
                        out.headers.emplace_back("X-Test", "1");
                        return out;
                      }});
    // As /echo, with refusals reshaped into the route's "protocol".
    HttpRoute shaped = routes.back();
    shaped.path = "/shaped";
    shaped.shape_refusal = [](HttpRequest& r, HttpResponse plain) {
      plain.body = absl::StrCat("shaped ", plain.status, " for ", r.path, ": ", plain.body);
      plain.content_type = "application/json";
      return plain;
    };
    routes.push_back(std::move(shaped));
    HttpServerOptions o;
    o.name = "test";
    o.listen = "127.0.0.1:0";
    auto server = HttpServer::Start(std::move(o), std::move(routes));
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = *std::move(server);
    ASSERT_GT(server_->port(), 0);
  }
  std::string Post(const std::string& headers, const std::string& body) {
    return HttpExchange(server_->port(),
                        "POST /echo?log_type=X HTTP/1.1\r\nHost: x\r\nConnection: close\r\n" + headers + "\r\n" + body);
  }

  std::atomic<int> handled_{0};
  std::unique_ptr<HttpServer> server_;
};

TEST_F(HttpServerTest, ServesExactPathsAndRefusesOtherPathsAndMethods) {
  const std::string ok = HttpExchange(server_->port(), "GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  EXPECT_THAT(ok, StartsWith("HTTP/1.1 200 OK\r\n"));
  EXPECT_THAT(ok, HasSubstr("\r\n\r\ndetectd_up 1\n"));
  EXPECT_THAT(HttpExchange(server_->port(), "GET /metrics/x HTTP/1.1\r\nConnection: close\r\n\r\n"),
              StartsWith("HTTP/1.1 404"));
  EXPECT_THAT(HttpExchange(server_->port(), "GET /other HTTP/1.1\r\nConnection: close\r\n\r\n"),
              StartsWith("HTTP/1.1 404"));
  const std::string post = HttpExchange(server_->port(), "POST /metrics HTTP/1.1\r\nConnection: close\r\n\r\n");
  EXPECT_THAT(post, StartsWith("HTTP/1.1 405"));
  EXPECT_THAT(post, HasSubstr("Allow: GET, HEAD\r\n"));
}

TEST_F(HttpServerTest, HandsTheBodyAndQueryToTheHandler) {
  const std::string r = Post("Authorization: Bearer ok\r\nContent-Length: 5\r\n", "hello");
  EXPECT_THAT(r, StartsWith("HTTP/1.1 200 OK\r\n"));
  EXPECT_THAT(r, HasSubstr("X-Test: 1\r\n"));
  EXPECT_THAT(r, HasSubstr("\r\n\r\nlog_type=X|hello"));
}

TEST_F(HttpServerTest, RefusesBodiesOverTheLimitWith413BeforeTheHandler) {
  const std::string declared = Post("Authorization: Bearer ok\r\nContent-Length: 11\r\n", "01234567890");
  EXPECT_THAT(declared, StartsWith("HTTP/1.1 413"));
  EXPECT_THAT(declared, HasSubstr("over the limit of 10 bytes"));
  const std::string chunked =
      Post("Authorization: Bearer ok\r\nTransfer-Encoding: chunked\r\n", "6\r\n012345\r\n6\r\n678901\r\n0\r\n\r\n");
  EXPECT_THAT(chunked, StartsWith("HTTP/1.1 413"));
  EXPECT_EQ(handled_.load(), 0);
}

TEST_F(HttpServerTest, AdmissionRunsBeforeTheBodyIsRead) {
  // The body is announced but never sent: a refusal must come without waiting for it.
  const std::string r = Post("Content-Length: 5\r\n", "");
  EXPECT_THAT(r, StartsWith("HTTP/1.1 401"));
  EXPECT_EQ(handled_.load(), 0);
}

TEST_F(HttpServerTest, ARouteReshapesTheRefusalsMadeBeforeItsHandlerButNotItsHandlersAnswers) {
  const auto post = [&](const std::string& headers, const std::string& body) {
    return HttpExchange(server_->port(),
                        "POST /shaped HTTP/1.1\r\nHost: x\r\nConnection: close\r\n" + headers + "\r\n" + body);
  };
  const std::string refused = post("Content-Length: 5\r\n", "");
  EXPECT_THAT(refused, StartsWith("HTTP/1.1 401"));
  EXPECT_THAT(refused, HasSubstr("Content-Type: application/json"));
  EXPECT_THAT(refused, HasSubstr("\r\n\r\nshaped 401 for /shaped: "));
  const std::string too_large = post("Authorization: Bearer ok\r\nContent-Length: 11\r\n", "01234567890");
  EXPECT_THAT(too_large, StartsWith("HTTP/1.1 413"));
  EXPECT_THAT(too_large, HasSubstr("shaped 413 for /shaped: request body of 11 bytes is over the limit of 10"));
  const std::string served = post("Authorization: Bearer ok\r\nContent-Length: 5\r\n", "hello");
  EXPECT_THAT(served, StartsWith("HTTP/1.1 200"));
  EXPECT_THAT(served, HasSubstr("\r\n\r\n|hello"));
  EXPECT_EQ(handled_.load(), 1);
}

TEST(HttpServerAddressTest, RejectsBadAddresses) {
  for (const char* bad : {"no-port", "127.0.0.1:99999", "::1:80", "[::1:80", "host:x"}) {
    HttpServerOptions o;
    o.listen = bad;
    EXPECT_FALSE(HttpServer::Start(o, {}).ok()) << bad;
  }
  EXPECT_EQ(*CivetwebListenSpec("[::1]:8080", true), "[::1]:8080s");
  EXPECT_EQ(*CivetwebListenSpec(":9090", false), "9090");
}

}  // namespace
}  // namespace detect::server
