#include "tests/trigger_process.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <random>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"

namespace fanout::testing {

namespace {

// A free port below Linux's ephemeral range (32768 and up). While the webhook is down, a client
// retrying it may otherwise be handed that very port as its own source port and connect to itself
// (TCP self-connect), then wait for its own answer: RGW's pushes took 10 s each that way.
int FreePortBelowEphemeral() {
  static std::mt19937 random(std::random_device{}());
  for (int tries = 0; tries < 1000; ++tries) {
    const int port = 20000 + static_cast<int>(random() % 12000);
    const int fd = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = htons(port);
    const bool free = bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0;
    close(fd);
    if (free) return port;
  }
  return 0;
}

}  // namespace

absl::Status TriggerProcess::Start() {
  if (port_ == 0) port_ = FreePortBelowEphemeral();
  const std::string port_file = TestDir(absl::StrCat(name_, "-trigger-port", ++starts_));
  const std::string log = absl::StrCat(ArtifactDir(), "/", name_, "-trigger.log");
  absl::StatusOr<std::unique_ptr<Process>> p =
      Process::Spawn(Runfile("trigger/fanout-trigger"),
                     {"--config=" + config_path_, "--coordinator=" + coordinator_,
                      absl::StrCat("--http_listen=127.0.0.1:", port_), "--port_file=" + port_file},
                     log, env_);
  if (!p.ok()) return p.status();
  process_ = std::move(*p);
  const absl::Time end = absl::Now() + absl::Seconds(30);
  while (!std::filesystem::exists(port_file)) {
    if (!process_->Running()) return absl::InternalError("fanout-trigger exited at start");
    if (absl::Now() > end) return absl::DeadlineExceededError("fanout-trigger did not start");
    absl::SleepFor(absl::Milliseconds(20));
  }
  std::ifstream(port_file) >> port_;
  return absl::OkStatus();
}

void TriggerProcess::Kill(int signal) {
  process_->Signal(signal);
  process_->Wait();
}

std::string TriggerProcess::url() const { return absl::StrCat("http://127.0.0.1:", port_, "/"); }

}  // namespace fanout::testing
