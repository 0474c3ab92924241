// A child process for integration tests: the real binaries, started with their output in a log
// file, killed with a real signal. A child dies with the test (PR_SET_PDEATHSIG), so nothing
// outlives it.
#ifndef FANOUT_TESTS_PROCESS_H_
#define FANOUT_TESTS_PROCESS_H_

#include <sys/types.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace fanout::testing {

struct CommandResult;

// Thread-compatible. Owned by the test.
class Process {
 public:
  // `env` ("NAME=value") is added to this process's environment for the child.
  static absl::StatusOr<std::unique_ptr<Process>> Spawn(const std::string& binary,
                                                        const std::vector<std::string>& args,
                                                        const std::string& log_path,
                                                        const std::vector<std::string>& env = {});
  // SIGKILLs the process if it still runs.
  ~Process();

  pid_t pid() const { return pid_; }
  void Signal(int signal);
  // Waits up to `timeout` for the exit; returns the exit code (128+N for signal N), or -1 on
  // timeout.
  int Wait(absl::Duration timeout = absl::Seconds(30));
  bool Running();
  const std::string& log_path() const { return log_path_; }

 private:
  friend CommandResult RunCommand(const std::string& binary, const std::vector<std::string>& args,
                                  absl::Duration timeout, const std::vector<std::string>& env);
  Process(pid_t pid, std::string log_path) : pid_(pid), log_path_(std::move(log_path)) {}
  pid_t pid_;
  std::string log_path_;
  int exit_code_ = -1;
  bool reaped_ = false;
};

// Runs a command to completion, returning its exit code and standard output.
struct CommandResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};
CommandResult RunCommand(const std::string& binary, const std::vector<std::string>& args,
                         absl::Duration timeout = absl::Seconds(60),
                         const std::vector<std::string>& env = {});

// Processes on this machine whose command line (as /proc shows it, arguments NUL-separated)
// contains `needle`.
int ProcessesMentioning(const std::string& needle);

// A directory for this test's data: under $TEST_TMPDIR.
std::string TestDir(const std::string& name);
// Waits until `process` has written its port to `port_file` (--port_file); an error naming `what`
// if it exits first or `timeout` passes.
absl::StatusOr<int> AwaitPortFile(Process& process, const std::string& port_file,
                                  const std::string& what,
                                  absl::Duration timeout = absl::Seconds(30));
// Where test artifacts (logs, screenshots) go: $TEST_UNDECLARED_OUTPUTS_DIR, else a temp dir.
std::string ArtifactDir();
// A binary built by this workspace, from the test's runfiles (e.g.
// "coordinator/fanout-coordinator").
std::string Runfile(const std::string& path);

}  // namespace fanout::testing

#endif  // FANOUT_TESTS_PROCESS_H_
