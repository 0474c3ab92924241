// A function's process: started in its own process group (so that a kill takes every process it
// started, never leaving one behind), optionally inside a cgroup, with its stdout and stderr on
// pipes that a reader thread drains into a LogSink.
#ifndef FANOUT_WORKER_RUNTIME_CHILD_PROCESS_H_
#define FANOUT_WORKER_RUNTIME_CHILD_PROCESS_H_

#include <sys/types.h>

#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace fanout::worker {

struct ChildSpec {
  std::vector<std::string> argv;  // argv[0] is the path to execute
  std::vector<std::string> env;   // "K=V", the whole environment
  std::string cwd;
  // Where the child goes before exec: a cgroup.procs (or cgroup v2) file per controller; empty:
  // none.
  std::vector<std::string> cgroup_procs;
  // Bytes written to its stdin, then closed (exec runtime); empty and !feed_stdin: /dev/null.
  bool feed_stdin = false;
  std::string stdin_bytes;
};

// Receives the child's output as it comes (from the reader thread): `stream` 1 or 2.
using OutputSink = std::function<void(int stream, absl::string_view bytes)>;

// Thread-safe. Destroying it kills the whole process group and reaps the child.
class ChildProcess {
 public:
  static absl::StatusOr<std::unique_ptr<ChildProcess>> Start(const ChildSpec& spec,
                                                             OutputSink sink);
  ~ChildProcess();

  pid_t pid() const { return pid_; }
  // SIGKILL to the whole process group (the child and everything it started).
  void KillGroup();
  // Waits until the child exited (or `deadline`); true when it did. Its output is drained by then.
  bool WaitExit(absl::Time deadline);
  bool exited() const;
  // Waits (at most `at_most`) until what the process wrote so far has reached the sink: its
  // output printed before it answered belongs to that answer's invocation.
  void DrainOutput(absl::Duration at_most);
  // As waitpid reported it; valid once exited().
  int wait_status() const;
  // "exit 3", "signal 9 (Killed)".
  std::string ExitDescription() const;

 private:
  ChildProcess() = default;
  void Reap();  // the waiter thread: output to EOF, then waitpid

  pid_t pid_ = -1;
  int out_fd_ = -1;
  int err_fd_ = -1;
  OutputSink sink_;
  std::thread waiter_;

  absl::Mutex io_mu_;  // held while output is read and handed to the sink
  int open_fds_[2] ABSL_GUARDED_BY(io_mu_) = {-1, -1};
  mutable absl::Mutex mu_;
  bool exited_ ABSL_GUARDED_BY(mu_) = false;
  int wait_status_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace fanout::worker

#endif  // FANOUT_WORKER_RUNTIME_CHILD_PROCESS_H_
