#include "tests/free_port.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <random>

namespace fanout::testing {
namespace {

bool Free(int port) {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(port);
  const bool free = bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0;
  close(fd);
  return free;
}

}  // namespace

int FreePortBelowEphemeral(int count) {
  static std::mt19937 random(std::random_device{}());
  for (int tries = 0; tries < 1000; ++tries) {
    const int first = 20000 + static_cast<int>(random() % 12000);
    bool all = true;
    for (int i = 0; i < count && all; ++i) all = Free(first + i);
    if (all) return first;
  }
  return 0;
}

}  // namespace fanout::testing
