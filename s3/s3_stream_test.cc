// A streamed GET whose connection breaks midway is not sent again: the reader already has the
// first bytes, and a retry would hand them over twice (a wrong hash or line count, silently).
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <thread>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "s3/s3_client.h"

namespace fanout::s3 {
namespace {

TEST(S3StreamTest, ABrokenStreamIsNotRetriedAfterBytesWereHandedOver) {
  const int listener = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(bind(listener, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
  ASSERT_EQ(listen(listener, 8), 0);
  socklen_t len = sizeof(addr);
  getsockname(listener, reinterpret_cast<sockaddr*>(&addr), &len);
  std::atomic<int> served{0};
  // Promises 100 bytes, sends 50, hangs up: every time it is asked.
  std::thread server([&] {
    for (int fd; (fd = accept(listener, nullptr, nullptr)) >= 0;) {
      ++served;
      char buffer[4096];
      (void)!read(fd, buffer, sizeof(buffer));
      const std::string reply =
          "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n" + std::string(50, 'x');
      (void)!write(fd, reply.data(), reply.size());
      close(fd);
    }
  });
  S3Config config;
  config.endpoint = absl::StrCat("http://127.0.0.1:", ntohs(addr.sin_port));
  config.credentials = {"AKID", "SECRET", ""};
  config.retry_base = absl::Milliseconds(1);
  S3Client client(config);
  std::string got;
  absl::Status s = client.GetStream("bucket", "key", "", [&](absl::string_view chunk) {
    got.append(chunk.data(), chunk.size());
    return true;
  });
  EXPECT_EQ(s.code(), absl::StatusCode::kUnavailable) << s;
  EXPECT_EQ(got.size(), 50u);
  EXPECT_EQ(served.load(), 1);
  shutdown(listener, SHUT_RDWR);
  close(listener);
  server.join();
}

}  // namespace
}  // namespace fanout::s3
