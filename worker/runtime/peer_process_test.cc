// A Runtime API listener restricted to its runtime's processes: a connection made by a process of
// the tree it was given is served; one made by any other process (here the test itself) is closed
// unanswered and counted.
#include "worker/runtime/peer_process.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <string>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "worker/runtime/runtime_api_server.h"

namespace fanout::worker {
namespace {

// Sends one GET and returns what came back ("" when the server closed without a word).
std::string Get(int port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in to{};
  to.sin_family = AF_INET;
  to.sin_port = htons(port);
  to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&to), sizeof(to)) != 0) return "";
  const std::string request = "GET /x HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
  (void)!::write(fd, request.data(), request.size());
  std::string out;
  char buf[4096];
  for (ssize_t n; (n = ::read(fd, buf, sizeof(buf))) > 0;) out.append(buf, n);
  ::close(fd);
  return out;
}

TEST(PeerProcessTest, OnlyTheRuntimesOwnProcessesAreServed) {
  auto server = RuntimeApiServer::Start(
      [](const WireRequest&) {
        return WireResponse{200, {}, "served"};
      },
      nullptr, 1 << 20, /*owner_only=*/true);
  ASSERT_TRUE(server.ok()) << server.status();
  int ready[2], result[2];
  ASSERT_EQ(::pipe(ready), 0);
  ASSERT_EQ(::pipe(result), 0);
  const pid_t runtime = ::fork();
  if (runtime == 0) {
    char go;
    (void)!::read(ready[0], &go, 1);  // named first, as the runtime's starter does
    const bool served = Get((*server)->port()).find("served") != std::string::npos;
    (void)!::write(result[1], served ? "y" : "n", 1);
    _exit(0);
  }
  (*server)->RestrictTo(runtime);
  (void)!::write(ready[1], "g", 1);
  char served = 0;
  ASSERT_EQ(::read(result[0], &served, 1), 1);
  ::waitpid(runtime, nullptr, 0);
  EXPECT_EQ(served, 'y') << "the runtime's own connection";
  EXPECT_EQ(Get((*server)->port()), "") << "a process outside the runtime's tree";
  EXPECT_EQ((*server)->refused_peers(), 1u);
}

TEST(PeerProcessTest, AnUnrestrictedListenerServesAnyone) {
  auto server = RuntimeApiServer::Start(
      [](const WireRequest&) {
        return WireResponse{200, {}, "served"};
      },
      nullptr, 1 << 20);
  ASSERT_TRUE(server.ok());
  EXPECT_NE(Get((*server)->port()).find("served"), std::string::npos);
}

}  // namespace
}  // namespace fanout::worker
