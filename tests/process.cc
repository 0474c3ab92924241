#include "tests/process.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"

namespace fanout::testing {
namespace {

extern "C" char** environ;

// This process's environment plus `extra`; pointers into `storage`.
std::vector<char*> Envp(const std::vector<std::string>& extra, std::vector<std::string>& storage) {
  storage.clear();
  for (char** e = environ; *e != nullptr; ++e) storage.emplace_back(*e);
  storage.insert(storage.end(), extra.begin(), extra.end());
  std::vector<char*> out;
  for (std::string& s : storage) out.push_back(s.data());
  out.push_back(nullptr);
  return out;
}

std::vector<char*> Argv(const std::string& binary, const std::vector<std::string>& args) {
  std::vector<char*> argv;
  argv.push_back(const_cast<char*>(binary.c_str()));
  for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  return argv;
}

// In the child: die with the parent, send output to the files, exec. Only async-signal-safe calls
// here (the test process has other threads): `argv` was built before fork().
[[noreturn]] void Exec(const std::string& binary, std::vector<char*>& argv,
                       std::vector<char*>& envp, const std::string& out_path,
                       const std::string& err_path) {
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, nullptr);
  int out = open(out_path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
  int err =
      err_path == out_path ? out : open(err_path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
  dup2(out, STDOUT_FILENO);
  dup2(err, STDERR_FILENO);
  execve(binary.c_str(), argv.data(), envp.data());
  _exit(127);
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace

absl::StatusOr<std::unique_ptr<Process>> Process::Spawn(const std::string& binary,
                                                        const std::vector<std::string>& args,
                                                        const std::string& log_path,
                                                        const std::vector<std::string>& env) {
  if (access(binary.c_str(), X_OK) != 0) {
    return absl::NotFoundError(absl::StrCat("no executable ", binary));
  }
  std::vector<char*> argv = Argv(binary, args);
  std::vector<std::string> env_storage;
  std::vector<char*> envp = Envp(env, env_storage);
  pid_t pid = fork();
  if (pid < 0) return absl::InternalError("fork failed");
  if (pid == 0) Exec(binary, argv, envp, log_path, log_path);
  return std::unique_ptr<Process>(new Process(pid, log_path));
}

Process::~Process() {
  if (Running()) {
    Signal(SIGKILL);
    Wait();
  }
}

void Process::Signal(int signal) {
  if (!reaped_) kill(pid_, signal);
}

int Process::Wait(absl::Duration timeout) {
  const absl::Time end = absl::Now() + timeout;
  while (!reaped_) {
    int status = 0;
    pid_t r = waitpid(pid_, &status, WNOHANG);
    if (r == pid_) {
      reaped_ = true;
      exit_code_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
      break;
    }
    if (absl::Now() > end) return -1;
    absl::SleepFor(absl::Milliseconds(10));
  }
  return exit_code_;
}

bool Process::Running() {
  if (reaped_) return false;
  return Wait(absl::ZeroDuration()) == -1;
}

CommandResult RunCommand(const std::string& binary, const std::vector<std::string>& args,
                         absl::Duration timeout, const std::vector<std::string>& env) {
  static int n = 0;
  const std::string base = TestDir(absl::StrCat("cmd", ++n));
  const std::string out_path = base + ".out", err_path = base + ".err";
  // Outside a test /tmp is shared: an earlier program's cmdN.out would be appended to.
  std::filesystem::remove(out_path);
  std::filesystem::remove(err_path);
  CommandResult result;
  std::vector<char*> argv = Argv(binary, args);
  std::vector<std::string> env_storage;
  std::vector<char*> envp = Envp(env, env_storage);
  pid_t pid = fork();
  if (pid == 0) Exec(binary, argv, envp, out_path, err_path);
  Process p(pid, out_path);
  result.exit_code = p.Wait(timeout);
  result.out = ReadFile(out_path);
  result.err = ReadFile(err_path);
  return result;
}

int ProcessesMentioning(const std::string& needle) {
  int n = 0;
  std::error_code ec;  // processes come and go while the directory is read
  for (std::filesystem::directory_iterator it("/proc", ec), end; !ec && it != end;
       it.increment(ec)) {
    const std::string pid = it->path().filename().string();
    if (pid.find_first_not_of("0123456789") != std::string::npos) continue;
    std::ifstream in(it->path() / "cmdline", std::ios::binary);
    std::stringstream read;  // not istreambuf_iterator: a process that ends mid-read throws there
    read << in.rdbuf();
    if (read.str().find(needle) != std::string::npos) ++n;
  }
  return n;
}

std::string TestDir(const std::string& name) {
  const char* tmp = std::getenv("TEST_TMPDIR");
  std::string dir = absl::StrCat(tmp ? tmp : "/tmp", "/", name);
  std::filesystem::remove_all(dir);
  return dir;
}

std::string ArtifactDir() {
  const char* out = std::getenv("TEST_UNDECLARED_OUTPUTS_DIR");
  std::string dir = out ? out : TestDir("artifacts");
  std::filesystem::create_directories(dir);
  return dir;
}

std::string Runfile(const std::string& path) {
  const char* srcdir = std::getenv("TEST_SRCDIR");
  const char* workspace = std::getenv("TEST_WORKSPACE");
  if (srcdir == nullptr) return path;
  return absl::StrCat(srcdir, "/", workspace ? workspace : "fanout", "/", path);
}

absl::StatusOr<int> AwaitPortFile(Process& process, const std::string& port_file,
                                  const std::string& what, absl::Duration timeout) {
  const absl::Time end = absl::Now() + timeout;
  while (!std::filesystem::exists(port_file)) {
    if (!process.Running()) return absl::InternalError(what + " exited at start");
    if (absl::Now() > end) return absl::DeadlineExceededError(what + " did not start");
    absl::SleepFor(absl::Milliseconds(10));
  }
  int port = 0;
  std::ifstream(port_file) >> port;
  return port;
}

}  // namespace fanout::testing
