#include "tests/rabbitmq.h"

#include <unistd.h>

#include "absl/strings/str_cat.h"
#include "tests/free_port.h"
#include "tests/process.h"

namespace fanout::testing {

absl::StatusOr<std::unique_ptr<RabbitMq>> RabbitMq::Start() {
  std::unique_ptr<RabbitMq> rabbit(new RabbitMq());
  rabbit->dir_ = TestDir("rabbit");
  rabbit->port_ = FreePortBelowEphemeral(3);
  CommandResult r =
      RunCommand("/usr/bin/env",
                 {"RABBIT_DIR=" + rabbit->dir_, absl::StrCat("AMQP_PORT=", rabbit->port_),
                  absl::StrCat("OWNER_PID=", getpid()), "/bin/bash",
                  Runfile("tests/servers/start-rabbitmq.sh")},
                 absl::Minutes(3));
  if (r.exit_code != 0) {
    return absl::UnavailableError(
        absl::StrCat("start-rabbitmq.sh failed (", r.exit_code, "): ", r.out, r.err));
  }
  return rabbit;
}

RabbitMq::~RabbitMq() {
  RunCommand("/usr/bin/env",
             {"RABBIT_DIR=" + dir_, "/bin/bash", Runfile("tests/servers/stop-rabbitmq.sh")},
             absl::Minutes(1));
}

std::string RabbitMq::url() const {
  return absl::StrCat("amqp://guest:guest@127.0.0.1:", port_, "/");
}

}  // namespace fanout::testing
