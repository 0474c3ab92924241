// A TCP proxy that makes a path between two hosts bad, for the multi-host tests (this kernel has no
// netem qdisc): every chunk it relays waits a delay with jitter; a chunk "dropped" with the given
// probability waits a retransmission timeout more, as TCP makes an application wait for a lost
// segment (bytes are never lost: TCP would not lose them either); and each connection is reset
// (RST, both sides) after a random lifetime. Order within a direction is kept, as TCP keeps it.
//   fault_proxy --listen=ADDR:0 --port_file=F --to=HOST:PORT --delay_ms=200 --jitter_ms=50
//               --drop=0.1 --reset_mean_s=5 --seed=N
// Prints one line per connection opened and reset.
#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <deque>
#include <fstream>
#include <iostream>
#include <memory>
#include <random>
#include <string>
#include <thread>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"

ABSL_FLAG(std::string, listen, "127.0.0.1:0", "address to accept on");
ABSL_FLAG(std::string, port_file, "", "where to write the port accepted on");
ABSL_FLAG(std::string, to, "", "HOST:PORT to relay to (resolved at each connection)");
ABSL_FLAG(int, delay_ms, 0, "delay of every chunk, each way");
ABSL_FLAG(int, jitter_ms, 0, "uniform jitter around the delay");
ABSL_FLAG(double, drop, 0, "probability that a chunk waits a retransmission timeout (200-400 ms)");
ABSL_FLAG(double, reset_mean_s, 0, "mean lifetime of a connection before a reset; 0: never");
ABSL_FLAG(uint32_t, seed, 1, "random seed");

namespace {

std::pair<std::string, std::string> SplitHostPort(const std::string& address) {
  const size_t colon = address.rfind(':');
  return {address.substr(0, colon), address.substr(colon + 1)};
}

int Dial(const std::string& address) {
  auto [host, port] = SplitHostPort(address);
  addrinfo hints{}, *found = nullptr;
  hints.ai_socktype = SOCK_STREAM;
  if (getaddrinfo(host.c_str(), port.c_str(), &hints, &found) != 0) return -1;
  int fd = socket(found->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
  const timeval limit{2, 0};  // connect() gives up after 2 s, as gRPC's attempts do
  if (fd >= 0) setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &limit, sizeof limit);
  if (fd >= 0 && connect(fd, found->ai_addr, found->ai_addrlen) != 0) {
    close(fd);
    fd = -1;
  }
  const timeval none{0, 0};  // and sends block as long as they need
  if (fd >= 0) setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &none, sizeof none);
  freeaddrinfo(found);
  return fd;
}

class Random {
 public:
  explicit Random(uint32_t seed) : engine_(seed) {}
  double Uniform(double lo, double hi) {
    absl::MutexLock lock(&mu_);
    return std::uniform_real_distribution<double>(lo, hi)(engine_);
  }
  double Exponential(double mean) {
    absl::MutexLock lock(&mu_);
    return std::exponential_distribution<double>(1.0 / mean)(engine_);
  }

 private:
  absl::Mutex mu_;
  std::mt19937 engine_;
};

// One direction of a connection: a reader stamps each chunk with when it may leave, a writer
// sends it then.
class Pipe {
 public:
  Pipe(int from, int to, Random& random, const std::atomic<bool>& dead)
      : from_(from), to_(to), random_(random), dead_(dead) {}
  void Run() {
    std::thread writer([this] { Write(); });
    Read();
    writer.join();
  }

 private:
  struct Chunk {
    absl::Time due;
    std::string bytes;  // empty: end of stream
  };
  void Read() {
    char buffer[65536];
    while (!dead_.load()) {
      pollfd p{from_, POLLIN, 0};
      if (poll(&p, 1, 50) <= 0) continue;
      const ssize_t n = read(from_, buffer, sizeof buffer);
      if (n < 0 && errno == EINTR) continue;
      Push(n > 0 ? std::string(buffer, n) : std::string());
      if (n <= 0) return;
    }
    Push("");
  }
  void Push(std::string bytes) {
    absl::Duration wait = absl::Milliseconds(absl::GetFlag(FLAGS_delay_ms));
    const double jitter = absl::GetFlag(FLAGS_jitter_ms);
    if (jitter > 0) wait += absl::Milliseconds(random_.Uniform(-jitter, jitter));
    if (random_.Uniform(0, 1) < absl::GetFlag(FLAGS_drop)) {
      wait += absl::Milliseconds(random_.Uniform(200, 400));  // Linux's minimum RTO and then some
    }
    absl::MutexLock lock(&mu_);
    last_due_ = std::max(last_due_, absl::Now() + wait);
    queue_.push_back({last_due_, std::move(bytes)});
  }
  void Write() {
    while (true) {
      Chunk chunk;
      {
        absl::MutexLock lock(&mu_);
        auto ready = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
          return !queue_.empty() || dead_.load();
        };
        mu_.AwaitWithTimeout(absl::Condition(&ready), absl::Milliseconds(50));
        if (dead_.load()) return;
        if (queue_.empty()) continue;
        chunk = std::move(queue_.front());
        queue_.pop_front();
      }
      absl::SleepFor(chunk.due - absl::Now());
      if (chunk.bytes.empty()) {
        shutdown(to_, SHUT_WR);
        return;
      }
      for (size_t sent = 0; sent < chunk.bytes.size() && !dead_.load();) {
        const ssize_t n =
            send(to_, chunk.bytes.data() + sent, chunk.bytes.size() - sent, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return;
        sent += n;
      }
    }
  }

  const int from_, to_;
  Random& random_;
  const std::atomic<bool>& dead_;
  absl::Mutex mu_;
  absl::Time last_due_ ABSL_GUARDED_BY(mu_) = absl::InfinitePast();
  std::deque<Chunk> queue_ ABSL_GUARDED_BY(mu_);
};

void Relay(int client, int server, Random& random, int id) {
  std::atomic<bool> dead{false};
  Pipe up(client, server, random, dead), down(server, client, random, dead);
  std::thread a([&] { up.Run(); });
  std::thread b([&] { down.Run(); });
  const double mean = absl::GetFlag(FLAGS_reset_mean_s);
  const absl::Time reset_at =
      mean > 0 ? absl::Now() + absl::Seconds(random.Exponential(mean)) : absl::InfiniteFuture();
  while (absl::Now() < reset_at) {
    pollfd p[2] = {{client, 0, 0}, {server, 0, 0}};
    if (poll(p, 2, 50) > 0 && ((p[0].revents | p[1].revents) & (POLLHUP | POLLERR))) break;
  }
  const bool reset = absl::Now() >= reset_at;
  dead = true;
  a.join();
  b.join();
  if (reset) {
    const linger abort{1, 0};  // close() then sends RST instead of FIN
    setsockopt(client, SOL_SOCKET, SO_LINGER, &abort, sizeof abort);
    setsockopt(server, SOL_SOCKET, SO_LINGER, &abort, sizeof abort);
    std::cout << "connection " << id << " reset" << std::endl;
  }
  close(client);
  close(server);
}

void Serve(int client, Random& random, int id) {
  const int server = Dial(absl::GetFlag(FLAGS_to));
  if (server < 0) {  // the far side is down or unreachable: refuse as it would
    const linger abort{1, 0};
    setsockopt(client, SOL_SOCKET, SO_LINGER, &abort, sizeof abort);
    close(client);
    return;
  }
  const int one = 1;
  setsockopt(client, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  setsockopt(server, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  std::cout << "connection " << id << " opened" << std::endl;
  Relay(client, server, random, id);
}

int Listen(const std::string& address, int* port) {
  auto [host, port_text] = SplitHostPort(address);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(std::stoi(port_text));
  if (inet_pton(AF_INET, host.c_str(), &a.sin_addr) != 1) return -1;
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  const int one = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 || listen(fd, 128) != 0) return -1;
  socklen_t length = sizeof a;
  getsockname(fd, reinterpret_cast<sockaddr*>(&a), &length);
  *port = ntohs(a.sin_port);
  return fd;
}

}  // namespace

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  int port = 0;
  const int listener = Listen(absl::GetFlag(FLAGS_listen), &port);
  if (listener < 0) {
    std::cerr << "fault_proxy: cannot listen on " << absl::GetFlag(FLAGS_listen) << "\n";
    return 2;
  }
  if (const std::string file = absl::GetFlag(FLAGS_port_file); !file.empty()) {
    std::ofstream(file + ".tmp") << port << "\n";
    std::rename((file + ".tmp").c_str(), file.c_str());
  }
  Random random(absl::GetFlag(FLAGS_seed));
  for (int id = 0;; ++id) {
    const int client = accept4(listener, nullptr, nullptr, SOCK_CLOEXEC);
    if (client < 0) continue;
    // Dialed on the connection's own thread: a far side that answers nothing holds up only it.
    std::thread([client, &random, id] { Serve(client, random, id); }).detach();
  }
}
