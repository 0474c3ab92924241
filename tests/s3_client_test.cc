// The S3 client against a real Ceph RADOS Gateway: objects with awkward keys, ranges, streams,
// server-side copies, paginated listings, both addressing styles, clear errors; and its retries
// against a scripted HTTP server that answers 503 SlowDown.
#include "s3/s3_client.h"

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <set>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/ceph_rgw.h"
#include "tests/free_port.h"

namespace fanout::testing {
namespace {

using ::testing::HasSubstr;

class S3ClientTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    absl::StatusOr<std::unique_ptr<CephRgw>> rgw = CephRgw::Start();
    ASSERT_TRUE(rgw.ok()) << rgw.status();
    rgw_ = rgw->release();
    s3::S3Client client(rgw_->Config());
    ASSERT_TRUE(client.CreateBucket("fanout-test").ok());
  }
  static void TearDownTestSuite() { delete rgw_; }

  s3::S3Client client_{rgw_->Config()};
  static CephRgw* rgw_;
};
CephRgw* S3ClientTest::rgw_ = nullptr;

TEST_F(S3ClientTest, ObjectsWithAwkwardKeysRoundTrip) {
  for (const std::string key :
       {"plain.txt", "a b+c%d.txt", "dir/ключ ü €.txt", "x/../y.txt", "q?=&#.txt"}) {
    absl::StatusOr<s3::ObjectInfo> put = client_.Put("fanout-test", key, "body of " + key);
    ASSERT_TRUE(put.ok()) << key << ": " << put.status();
    absl::StatusOr<s3::ObjectInfo> head = client_.Head("fanout-test", key);
    ASSERT_TRUE(head.ok()) << key << ": " << head.status();
    EXPECT_EQ(head->size, ("body of " + key).size());
    EXPECT_EQ(head->etag, put->etag);
    EXPECT_EQ(*client_.Get("fanout-test", key), "body of " + key);
  }
}

TEST_F(S3ClientTest, RangesAndStreams) {
  ASSERT_TRUE(client_.Put("fanout-test", "digits", "0123456789").ok());
  EXPECT_EQ(*client_.Get("fanout-test", "digits", "bytes=2-5"), "2345");
  std::string streamed;
  ASSERT_TRUE(client_
                  .GetStream("fanout-test", "digits", "",
                             [&](absl::string_view chunk) {
                               streamed.append(chunk.data(), chunk.size());
                               return true;
                             })
                  .ok());
  EXPECT_EQ(streamed, "0123456789");
  absl::Status stopped =
      client_.GetStream("fanout-test", "digits", "", [](absl::string_view) { return false; });
  EXPECT_EQ(stopped.code(), absl::StatusCode::kCancelled);
}

TEST_F(S3ClientTest, ServerSideCopyKeepsTheContentAndETag) {
  ASSERT_TRUE(client_.CreateBucket("fanout-copy").ok());
  absl::StatusOr<s3::ObjectInfo> put = client_.Put("fanout-test", "src/ü x+y.bin", "payload");
  absl::StatusOr<s3::ObjectInfo> copy =
      client_.Copy("fanout-test", "src/ü x+y.bin", "fanout-copy", "dst/ü x+y.bin");
  ASSERT_TRUE(copy.ok()) << copy.status();
  EXPECT_EQ(copy->etag, put->etag);
  EXPECT_EQ(*client_.Get("fanout-copy", "dst/ü x+y.bin"), "payload");
}

TEST_F(S3ClientTest, ListingIsPaginatedAndPrefixed) {
  std::set<std::string> want;
  for (int i = 0; i < 7; ++i) {
    const std::string key = absl::StrCat("list/item ", i, "+");
    ASSERT_TRUE(client_.Put("fanout-test", key, "x").ok());
    want.insert(key);
  }
  ASSERT_TRUE(client_.Put("fanout-test", "other/x", "x").ok());
  std::set<std::string> got;
  std::string token;
  int pages = 0;
  do {
    absl::StatusOr<s3::ListPage> page = client_.List("fanout-test", "list/", token, 3);
    ASSERT_TRUE(page.ok()) << page.status();
    for (const s3::ObjectInfo& o : page->objects) got.insert(o.key);
    token = page->next_token;
    ++pages;
  } while (!token.empty());
  EXPECT_EQ(got, want);
  EXPECT_EQ(pages, 3);
}

TEST_F(S3ClientTest, VirtualHostAddressingWorksToo) {
  s3::S3Client vhost(rgw_->Config(/*path_style=*/false));
  ASSERT_TRUE(vhost.Put("fanout-test", "vhost/a b.txt", "v").ok());
  EXPECT_EQ(*client_.Get("fanout-test", "vhost/a b.txt"), "v");
}

TEST_F(S3ClientTest, ErrorsSayWhatAndWhy) {
  absl::StatusOr<s3::ObjectInfo> missing = client_.Head("fanout-test", "no/such/key");
  EXPECT_EQ(missing.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(missing.status().message(), HasSubstr("no/such/key"));
  absl::StatusOr<std::string> no_bucket = client_.Get("no-such-bucket", "k");
  EXPECT_EQ(no_bucket.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(no_bucket.status().message(), HasSubstr("NoSuchBucket"));
  s3::S3Config wrong = rgw_->Config();
  wrong.credentials.secret_key = "wrong";
  absl::StatusOr<std::string> denied = s3::S3Client(wrong).Get("fanout-test", "digits");
  EXPECT_EQ(denied.status().code(), absl::StatusCode::kPermissionDenied);
  EXPECT_THAT(denied.status().message(), HasSubstr("SignatureDoesNotMatch"));
}

// Answers `failures` requests with 503 SlowDown, then 200 with a body.
class SlowDownServer {
 public:
  explicit SlowDownServer(int failures) : failures_(failures) {
    fd_ = socket(AF_INET, SOCK_STREAM, 0);
    int one = 1;
    setsockopt(fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
    socklen_t len = sizeof(addr);
    getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    listen(fd_, 8);
    thread_ = std::thread([this] { Serve(); });
  }
  ~SlowDownServer() {
    shutdown(fd_, SHUT_RDWR);
    close(fd_);
    thread_.join();
  }
  int port() const { return port_; }
  int requests() const { return requests_.load(); }

 private:
  void Serve() {
    while (true) {
      const int c = accept(fd_, nullptr, nullptr);
      if (c < 0) return;
      char buf[4096];
      (void)!read(c, buf, sizeof(buf));
      const bool fail = requests_++ < failures_;
      const std::string body = fail ? "<Error><Code>SlowDown</Code><Message>Reduce your request "
                                      "rate.</Message></Error>"
                                    : "hello";
      const std::string reply =
          absl::StrCat("HTTP/1.1 ", fail ? "503 Slow Down" : "200 OK",
                       "\r\nConnection: close\r\nContent-Length: ", body.size(), "\r\n\r\n", body);
      (void)!write(c, reply.data(), reply.size());
      close(c);
    }
  }
  int fd_, port_, failures_;
  std::atomic<int> requests_{0};
  std::thread thread_;
};

s3::S3Config LocalConfig(int port, int retries) {
  s3::S3Config c;
  c.endpoint = absl::StrCat("http://127.0.0.1:", port);
  c.credentials = {"k", "s", ""};
  c.max_retries = retries;
  c.retry_base = absl::Milliseconds(5);
  return c;
}

TEST(S3ClientRetryTest, SlowDownIsRetriedWithBackoff) {
  SlowDownServer server(2);
  absl::StatusOr<std::string> body = s3::S3Client(LocalConfig(server.port(), 4)).Get("b", "k");
  ASSERT_TRUE(body.ok()) << body.status();
  EXPECT_EQ(*body, "hello");
  EXPECT_EQ(server.requests(), 3);
}

TEST(S3ClientRetryTest, PersistentSlowDownEndsUnavailableNamingTheCode) {
  SlowDownServer server(100);
  absl::StatusOr<std::string> body = s3::S3Client(LocalConfig(server.port(), 2)).Get("b", "k");
  EXPECT_EQ(body.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(body.status().message(), HasSubstr("SlowDown"));
  EXPECT_EQ(server.requests(), 3);
}

TEST(S3ClientRetryTest, RefusedConnectionsEndUnavailable) {
  const int port = FreePortBelowEphemeral();
  absl::StatusOr<std::string> body = s3::S3Client(LocalConfig(port, 1)).Get("b", "k");
  EXPECT_EQ(body.status().code(), absl::StatusCode::kUnavailable);
}

}  // namespace
}  // namespace fanout::testing
