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
#include "tests/free_port.h"

namespace fanout::testing {

absl::Status TriggerProcess::Start() {
  if (port_ == 0) port_ = FreePortBelowEphemeral();
  const std::string port_file = TestDir(absl::StrCat(name_, "-trigger-port", ++starts_));
  const std::string log = absl::StrCat(ArtifactDir(), "/", name_, "-trigger.log");
  std::vector<std::string> args = {"--config=" + config_path_, "--coordinator=" + coordinator_,
                                   absl::StrCat("--http_listen=127.0.0.1:", port_),
                                   "--port_file=" + port_file};
  args.insert(args.end(), flags_.begin(), flags_.end());
  absl::StatusOr<std::unique_ptr<Process>> p =
      Process::Spawn(Runfile("trigger/fanout-trigger"), args, log, env_);
  if (!p.ok()) return p.status();
  process_ = std::move(*p);
  absl::StatusOr<int> port = AwaitPortFile(*process_, port_file, "fanout-trigger");
  if (!port.ok()) return port.status();
  port_ = *port;
  return absl::OkStatus();
}

void TriggerProcess::Kill(int signal) {
  process_->Signal(signal);
  process_->Wait();
}

std::string TriggerProcess::url() const { return absl::StrCat("http://127.0.0.1:", port_, "/"); }

}  // namespace fanout::testing
