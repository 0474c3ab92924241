// A private RabbitMQ for tests: tests/servers/start-rabbitmq.sh on 127.0.0.1 (AMQP, Erlang
// distribution and epmd on three consecutive ports below the ephemeral range, data under the test's
// temporary directory), stopped by stop-rabbitmq.sh when the object goes away. User guest/guest,
// which RabbitMQ accepts from loopback only.
#ifndef FANOUT_TESTS_RABBITMQ_H_
#define FANOUT_TESTS_RABBITMQ_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"

namespace fanout::testing {

// Thread-compatible. Owned by a test suite (it takes ten seconds or more to start).
class RabbitMq {
 public:
  static absl::StatusOr<std::unique_ptr<RabbitMq>> Start();
  ~RabbitMq();

  int port() const { return port_; }
  std::string url() const;  // amqp://guest:guest@127.0.0.1:PORT/

 private:
  RabbitMq() = default;
  std::string dir_;
  int port_ = 0;
};

}  // namespace fanout::testing

#endif  // FANOUT_TESTS_RABBITMQ_H_
