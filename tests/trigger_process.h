// A real fanout-trigger process for integration tests, on 127.0.0.1: started with a config file
// against a TestCluster's coordinator, killable, and restartable on the same webhook port (so that
// a bucket notification configured with that port reaches the restarted trigger).
#ifndef FANOUT_TESTS_TRIGGER_PROCESS_H_
#define FANOUT_TESTS_TRIGGER_PROCESS_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "tests/process.h"

namespace fanout::testing {

// Thread-compatible. Owned by the test.
class TriggerProcess {
 public:
  TriggerProcess(std::string name, std::string config_path, std::string coordinator,
                 std::vector<std::string> env = {}, std::vector<std::string> flags = {})
      : name_(std::move(name)),
        config_path_(std::move(config_path)),
        coordinator_(std::move(coordinator)),
        env_(std::move(env)),
        flags_(std::move(flags)) {}

  // Starts (or restarts on the same port) and returns once the webhook listens.
  absl::Status Start();
  void Kill(int signal = 9);
  int port() const { return port_; }
  std::string url() const;  // "http://127.0.0.1:PORT/"
  Process* process() { return process_.get(); }

 private:
  std::string name_, config_path_, coordinator_;
  std::vector<std::string> env_;
  std::vector<std::string> flags_;  // more flags for fanout-trigger
  int port_ = 0;
  int starts_ = 0;
  std::unique_ptr<Process> process_;
};

}  // namespace fanout::testing

#endif  // FANOUT_TESTS_TRIGGER_PROCESS_H_
