#include "common/http_server.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <fstream>

#include "absl/time/clock.h"
#include "common/metrics_http.h"
#include "gtest/gtest.h"
#include "prometheus/counter.h"

namespace fanout {
namespace {

struct Got {
  long status = 0;
  std::string content_type;
  std::string body;
};

size_t Append(char* data, size_t size, size_t n, void* out) {
  static_cast<std::string*>(out)->append(data, size * n);
  return size * n;
}

Got Fetch(int port, const std::string& path, bool post = false) {
  Got got;
  CURL* curl = curl_easy_init();
  const std::string url = "http://127.0.0.1:" + std::to_string(port) + path;
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, &Append);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &got.body);
  if (post) curl_easy_setopt(curl, CURLOPT_POSTFIELDS, "x=1");
  EXPECT_EQ(curl_easy_perform(curl), CURLE_OK) << url;
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &got.status);
  char* type = nullptr;
  curl_easy_getinfo(curl, CURLINFO_CONTENT_TYPE, &type);
  if (type != nullptr) got.content_type = type;
  curl_easy_cleanup(curl);
  return got;
}

TEST(QueryParamTest, DecodesAndFallsBack) {
  EXPECT_EQ(QueryParam("a=1&job=j%2D1+x&b", "job"), "j-1 x");
  EXPECT_EQ(QueryParam("a=1&b", "b"), "");
  EXPECT_EQ(QueryParam("a=1", "limit", "50"), "50");
}

TEST(HttpServerTest, RoutesGetsAndRefusesWrites) {
  auto server = HttpServer::Start("127.0.0.1:0", "http_listen", [](const HttpRequest& r) {
    if (r.path == "/hello")
      return HttpResponse{200, "text/plain", "hi " + QueryParam(r.query, "n")};
    return HttpResponse{404, "application/json", R"({"error":"no"})"};
  });
  ASSERT_TRUE(server.ok()) << server.status();
  ASSERT_GT((*server)->port(), 0);
  Got hello = Fetch((*server)->port(), "/hello?n=7");
  EXPECT_EQ(hello.status, 200);
  EXPECT_EQ(hello.body, "hi 7");
  EXPECT_EQ(hello.content_type, "text/plain");
  EXPECT_EQ(Fetch((*server)->port(), "/nope").status, 404);
  EXPECT_EQ(Fetch((*server)->port(), "/hello", /*post=*/true).status, 405);
}

// Every process with a dashboard or /metrics stops through this destructor: it must not wait out
// civetweb's 2 s poll (it did: `fanout dev` took 1-2 s to stop when idle).
TEST(HttpServerTest, StopsAtOnce) {
  absl::Duration stopping;
  for (int i = 0; i < 3; ++i) {
    auto server = HttpServer::Start("127.0.0.1:0", "http_listen", [](const HttpRequest&) {
      return HttpResponse{200, "text/plain", "ok"};
    });
    ASSERT_TRUE(server.ok()) << server.status();
    EXPECT_EQ(Fetch((*server)->port(), "/").status, 200);
    const absl::Time start = absl::Now();
    server->reset();
    stopping += absl::Now() - start;
  }
  EXPECT_LT(stopping, absl::Milliseconds(900)) << "three servers took this long to stop";
}

TEST(HttpServerTest, AnExceptionInAHandlerIsA500NotACrash) {
  auto server = HttpServer::Start(
      "127.0.0.1:0", "http_listen",
      [](const HttpRequest&) -> HttpResponse { throw std::runtime_error("boom"); });
  ASSERT_TRUE(server.ok());
  Got got = Fetch((*server)->port(), "/x");
  EXPECT_EQ(got.status, 500);
  EXPECT_NE(got.body.find("boom"), std::string::npos);
  EXPECT_EQ(Fetch((*server)->port(), "/y").status, 500) << "still serving";
}

TEST(HttpServerTest, ABusyPortIsAClearError) {
  auto first = HttpServer::Start("127.0.0.1:0", "http_listen",
                                 [](const HttpRequest&) { return HttpResponse{}; });
  ASSERT_TRUE(first.ok());
  auto second = HttpServer::Start("127.0.0.1:" + std::to_string((*first)->port()), "http_listen",
                                  [](const HttpRequest&) { return HttpResponse{}; });
  ASSERT_FALSE(second.ok());
  EXPECT_NE(second.status().message().find("--http_listen"), std::string::npos);
}

TEST(MetricsServerTest, ServesTheRegistryAfterRefreshing) {
  prometheus::Registry registry;
  auto& counter = prometheus::BuildCounter()
                      .Name("fanout_test_things_total")
                      .Help("Things.")
                      .Register(registry)
                      .Add({});
  int refreshed = 0;
  auto server = StartMetricsServer("127.0.0.1:0", registry, [&] {
    ++refreshed;
    counter.Increment(2);
  });
  ASSERT_TRUE(server.ok()) << server.status();
  Got got = Fetch((*server)->port(), "/metrics");
  EXPECT_EQ(got.status, 200);
  EXPECT_EQ(got.content_type, "text/plain; version=0.0.4; charset=utf-8");
  EXPECT_NE(got.body.find("fanout_test_things_total 2"), std::string::npos) << got.body;
  EXPECT_EQ(refreshed, 1);
  EXPECT_EQ(Fetch((*server)->port(), "/").status, 404);
}

// A certificate for 127.0.0.1 and its key, made by openssl in `dir`, as the server's TLS options.
void SelfSignedTls(const std::string& dir, HttpServer::Options* options) {
  ASSERT_EQ(std::system(("mkdir -p " + dir +
                         " && openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=127.0.0.1"
                         " -addext subjectAltName=IP:127.0.0.1 -keyout " +
                         dir + "/key.pem -out " + dir + "/cert.pem 2>/dev/null")
                            .c_str()),
            0);
  options->tls_cert = dir + "/cert.pem";
  options->tls_key = dir + "/key.pem";
}

// HTTPS with a certificate made by openssl here: a client that trusts it gets the answer (a
// body bigger than one TLS record too); plain HTTP to the same port gets none.
TEST(HttpServerTest, ServesHttpsWhenGivenACertificate) {
  const std::string dir = std::string(std::getenv("TEST_TMPDIR")) + "/https";
  HttpServer::Options options;
  ASSERT_NO_FATAL_FAILURE(SelfSignedTls(dir, &options));
  const std::string big(100000, 'b');
  auto server = HttpServer::Start(
      "127.0.0.1:0", "http_listen",
      [&big](const HttpRequest&) {
        return HttpResponse{200, "text/plain", big};
      },
      options);
  ASSERT_TRUE(server.ok()) << server.status();
  for (int i = 0; i < 3; ++i) {
    CURL* curl = curl_easy_init();
    std::string body;
    const std::string url = "https://127.0.0.1:" + std::to_string((*server)->port()) + "/";
    curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
    curl_easy_setopt(curl, CURLOPT_CAINFO, (dir + "/cert.pem").c_str());
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, &Append);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, &body);
    EXPECT_EQ(curl_easy_perform(curl), CURLE_OK);
    curl_easy_cleanup(curl);
    EXPECT_EQ(body, big);
  }
  CURL* plain = curl_easy_init();
  const std::string http = "http://127.0.0.1:" + std::to_string((*server)->port()) + "/";
  std::string nothing;
  curl_easy_setopt(plain, CURLOPT_URL, http.c_str());
  curl_easy_setopt(plain, CURLOPT_WRITEFUNCTION, &Append);
  curl_easy_setopt(plain, CURLOPT_WRITEDATA, &nothing);
  curl_easy_setopt(plain, CURLOPT_TIMEOUT, 5L);
  curl_easy_perform(plain);
  curl_easy_cleanup(plain);
  EXPECT_EQ(nothing.find("bbbb"), std::string::npos);
}

// A worker's or trigger's /metrics: beyond loopback only with a token, which scrapers must send.
TEST(MetricsServerTest, BeyondLoopbackMetricsNeedAToken) {
  EXPECT_TRUE(MetricsServerOptions("127.0.0.1:0", "").ok());
  EXPECT_FALSE(MetricsServerOptions("0.0.0.0:9100", "").ok());
  const std::string file = std::string(std::getenv("TEST_TMPDIR")) + "/metrics.token";
  std::ofstream(file) << "short\n";
  EXPECT_FALSE(MetricsServerOptions("0.0.0.0:9100", file).ok());
  std::ofstream(file) << "a-scrape-token-long-enough\n";
  absl::StatusOr<HttpServer::Options> options = MetricsServerOptions("0.0.0.0:9100", file);
  ASSERT_TRUE(options.ok()) << options.status();
  prometheus::Registry registry;
  auto server = StartMetricsServer("127.0.0.1:0", registry, nullptr, *options);
  ASSERT_TRUE(server.ok());
  EXPECT_EQ(Fetch((*server)->port(), "/metrics").status, 401);
  CURL* curl = curl_easy_init();
  const std::string url = "http://127.0.0.1:" + std::to_string((*server)->port()) + "/metrics";
  curl_slist* headers =
      curl_slist_append(nullptr, "Authorization: Bearer a-scrape-token-long-enough");
  std::string body;
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, &Append);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &body);
  EXPECT_EQ(curl_easy_perform(curl), CURLE_OK);
  long status = 0;
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
  EXPECT_EQ(status, 200);
  curl_slist_free_all(headers);
  curl_easy_cleanup(curl);
}

// A client that stalls in the TLS handshake holds a relay, but neither the other clients nor the
// server's end wait on it.
TEST(HttpServerTest, AStalledTlsClientHoldsNothingUp) {
  HttpServer::Options options;
  ASSERT_NO_FATAL_FAILURE(
      SelfSignedTls(std::string(std::getenv("TEST_TMPDIR")) + "/https-stall", &options));
  auto server = HttpServer::Start(
      "127.0.0.1:0", "http_listen",
      [](const HttpRequest&) {
        return HttpResponse{200, "text/plain", "ok"};
      },
      options);
  ASSERT_TRUE(server.ok()) << server.status();
  const int stalled = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in to{};
  to.sin_family = AF_INET;
  to.sin_port = htons((*server)->port());
  to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::connect(stalled, reinterpret_cast<sockaddr*>(&to), sizeof(to)), 0);
  ASSERT_EQ(::write(stalled, "\x16", 1), 1);  // the first byte of a handshake record, no more
  const absl::Time start = absl::Now();
  server->reset();
  EXPECT_LT(absl::Now() - start, absl::Seconds(5)) << "the server's end waited on the stall";
  ::close(stalled);
}

}  // namespace
}  // namespace fanout
