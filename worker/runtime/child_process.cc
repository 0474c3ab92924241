#include "worker/runtime/child_process.h"

#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstring>

#include "absl/strings/str_cat.h"

namespace fanout::worker {
namespace {

// Only async-signal-safe calls between fork and exec.
[[noreturn]] void ExecChild(const ChildSpec& spec, char* const* argv, char* const* envp,
                            int stdin_fd, int out_fd, int err_fd, pid_t parent) {
  ::setpgid(0, 0);
  // A worker killed outright takes its runtimes with it (their process groups would otherwise
  // poll a dead endpoint, or run on, unowned).
  ::prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (::getppid() != parent) _exit(125);  // the worker is already gone
  for (const std::string& procs : spec.cgroup_procs) {
    const int fd = ::open(procs.c_str(), O_WRONLY | O_CLOEXEC);
    if (fd < 0 || ::write(fd, "0", 1) != 1) _exit(126);  // never run outside its limits
    ::close(fd);
  }
  // The worker blocks SIGINT/SIGTERM for its signal thread and ignores SIGPIPE: the function gets
  // the defaults a fresh process has.
  sigset_t none;
  sigemptyset(&none);
  ::sigprocmask(SIG_SETMASK, &none, nullptr);
  for (int sig = 1; sig < NSIG; ++sig) ::signal(sig, SIG_DFL);
  ::dup2(stdin_fd, 0);
  ::dup2(out_fd, 1);
  ::dup2(err_fd, 2);
  ::syscall(SYS_close_range, 3U, ~0U, 0U);
  if (!spec.cwd.empty() && ::chdir(spec.cwd.c_str()) != 0) _exit(127);
  ::execve(argv[0], argv, envp);
  static const char kMessage[] = "fanout: cannot execute the function's program\n";
  (void)!::write(2, kMessage, sizeof(kMessage) - 1);
  _exit(127);
}

std::vector<char*> Pointers(const std::vector<std::string>& strings) {
  std::vector<char*> out;
  for (const std::string& s : strings) out.push_back(const_cast<char*>(s.c_str()));
  out.push_back(nullptr);
  return out;
}

}  // namespace

absl::StatusOr<std::unique_ptr<ChildProcess>> ChildProcess::Start(const ChildSpec& spec,
                                                                  OutputSink sink) {
  if (spec.argv.empty()) return absl::InvalidArgumentError("no program to run");
  int out[2], err[2], in[2];
  if (::pipe2(out, O_CLOEXEC) != 0) return absl::InternalError("pipe");
  if (::pipe2(err, O_CLOEXEC) != 0) {
    ::close(out[0]), ::close(out[1]);
    return absl::InternalError("pipe");
  }
  if (::pipe2(in, O_CLOEXEC) != 0) {
    ::close(out[0]), ::close(out[1]), ::close(err[0]), ::close(err[1]);
    return absl::InternalError("pipe");
  }
  std::vector<char*> argv = Pointers(spec.argv);
  std::vector<char*> envp = Pointers(spec.env);
  const pid_t parent = ::getpid();
  const pid_t pid = ::fork();
  if (pid == 0) ExecChild(spec, argv.data(), envp.data(), in[0], out[1], err[1], parent);
  ::close(in[0]), ::close(out[1]), ::close(err[1]);
  if (pid < 0) {
    ::close(in[1]), ::close(out[0]), ::close(err[0]);
    return absl::ResourceExhaustedError(absl::StrCat("fork: ", std::strerror(errno)));
  }
  // Also from the parent: a kill right after Start must reach the group even if the child has not
  // run setpgid yet.
  ::setpgid(pid, pid);
  std::unique_ptr<ChildProcess> child(new ChildProcess());
  child->pid_ = pid;
  child->out_fd_ = out[0];
  child->err_fd_ = err[0];
  {
    absl::MutexLock io(&child->io_mu_);
    child->open_fds_[0] = out[0];
    child->open_fds_[1] = err[0];
  }
  child->sink_ = std::move(sink);
  if (spec.feed_stdin) {
    // Small inputs fit the pipe; a big one is written by the waiter's sibling below.
    std::thread([fd = in[1], bytes = spec.stdin_bytes] {
      // A child that exits without reading all of it must not SIGPIPE the worker: blocked here,
      // the write fails with EPIPE instead (the signal is this thread's, dropped when it ends).
      sigset_t pipe;
      sigemptyset(&pipe);
      sigaddset(&pipe, SIGPIPE);
      pthread_sigmask(SIG_BLOCK, &pipe, nullptr);
      absl::string_view rest = bytes;
      while (!rest.empty()) {
        const ssize_t n = ::write(fd, rest.data(), rest.size());
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;  // the child closed its stdin or died: it did not want the rest
        rest.remove_prefix(static_cast<size_t>(n));
      }
      ::close(fd);
    }).detach();
  } else {
    ::close(in[1]);
  }
  child->waiter_ = std::thread([c = child.get()] { c->Reap(); });
  return child;
}

ChildProcess::~ChildProcess() {
  KillGroup();
  if (waiter_.joinable()) waiter_.join();
}

void ChildProcess::KillGroup() {
  absl::MutexLock lock(&mu_);
  // Until the reap (under this lock) the leader, alive or a zombie, holds the group id: the kill
  // reaches only our processes.
  if (!exited_) ::kill(-pid_, SIGKILL);
}

void ChildProcess::Reap() {
  // The leader's end is seen through a pidfd (readable once it exited), so that a grandchild
  // holding the pipes open cannot hide it.
  const int pidfd = static_cast<int>(::syscall(SYS_pidfd_open, pid_, 0));
  pollfd fds[3] = {{out_fd_, POLLIN, 0}, {err_fd_, POLLIN, 0}, {pidfd, POLLIN, 0}};
  bool leader_done = false;
  absl::Time give_up = absl::InfiniteFuture();
  char buf[8192];
  while (fds[0].fd >= 0 || fds[1].fd >= 0) {
    // Without a pidfd (old kernels) the leader is looked at every 50 ms.
    // Once the leader is gone its group is killed; a process that left the group (setsid) and
    // kept the pipes is not waited for long.
    // A process that left the group and keeps writing is read for at most a second after the
    // leader's end (the cgroup, where there is one, has killed it by then).
    const int timeout = leader_done ? 100 : pidfd < 0 ? 50 : -1;
    const int ready = ::poll(fds, 3, timeout);
    if (ready < 0 && errno != EINTR) break;
    if (leader_done && absl::Now() >= give_up) break;
    if (!leader_done && (fds[2].revents != 0 || pidfd < 0)) {
      siginfo_t info{};
      if (::waitid(P_PID, pid_, &info, WEXITED | WNOHANG | WNOWAIT) == 0 && info.si_pid == pid_) {
        // Its zombie still holds the group id: the kill reaches exactly what it left behind.
        ::kill(-pid_, SIGKILL);
        leader_done = true;
        give_up = absl::Now() + absl::Seconds(1);
        fds[2].fd = -1;
      }
    }
    // Read and handed over under io_mu_, so that DrainOutput never sees a pipe emptied whose
    // bytes have not reached the sink yet.
    absl::MutexLock io(&io_mu_);
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || fds[i].revents == 0) continue;
      const ssize_t n = ::read(fds[i].fd, buf, sizeof(buf));
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        ::close(fds[i].fd);
        fds[i].fd = open_fds_[i] = -1;
        continue;
      }
      if (sink_) sink_(i + 1, absl::string_view(buf, static_cast<size_t>(n)));
    }
  }
  if (pidfd >= 0) ::close(pidfd);
  {
    absl::MutexLock io(&io_mu_);
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd >= 0) ::close(fds[i].fd);
      open_fds_[i] = -1;
    }
  }
  // The output may close while the leader runs on (it sent it to /dev/null): wait for its end.
  siginfo_t info{};
  while (!leader_done && ::waitid(P_PID, pid_, &info, WEXITED | WNOWAIT) < 0 && errno == EINTR) {
  }
  absl::MutexLock lock(&mu_);
  ::kill(-pid_, SIGKILL);  // what it left behind in its group (the zombie still holds the id)
  int status = 0;
  while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
  }
  exited_ = true;
  wait_status_ = status;
}

void ChildProcess::DrainOutput(absl::Duration at_most) {
  const absl::Time deadline = absl::Now() + at_most;
  while (true) {
    {
      absl::MutexLock io(&io_mu_);
      int pending = 0;
      for (int fd : open_fds_) {
        int n = 0;
        if (fd >= 0 && ::ioctl(fd, FIONREAD, &n) == 0) pending += n;
      }
      if (pending == 0) return;
    }
    if (absl::Now() >= deadline) return;
    absl::SleepFor(absl::Microseconds(200));
  }
}

bool ChildProcess::WaitExit(absl::Time deadline) {
  absl::MutexLock lock(&mu_);
  return mu_.AwaitWithDeadline(absl::Condition(&exited_), deadline);
}

bool ChildProcess::exited() const {
  absl::MutexLock lock(&mu_);
  return exited_;
}

int ChildProcess::wait_status() const {
  absl::MutexLock lock(&mu_);
  return wait_status_;
}

std::string ChildProcess::ExitDescription() const {
  const int status = wait_status();
  if (WIFEXITED(status)) return absl::StrCat("exit ", WEXITSTATUS(status));
  if (WIFSIGNALED(status)) {
    return absl::StrCat("signal ", WTERMSIG(status), " (", strsignal(WTERMSIG(status)), ")");
  }
  return absl::StrCat("status ", status);
}

}  // namespace fanout::worker
