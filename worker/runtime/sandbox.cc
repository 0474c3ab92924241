#include "worker/runtime/sandbox.h"

#include <fcntl.h>
#include <pwd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace fanout::worker {
namespace {

namespace fs = std::filesystem;

// What programs need of /etc: names, certificates, time zones, the loader's cache, alternatives.
constexpr const char* kEtc[] = {"/etc/alternatives",  "/etc/ssl",          "/etc/ca-certificates",
                                "/etc/resolv.conf",   "/etc/hosts",        "/etc/host.conf",
                                "/etc/nsswitch.conf", "/etc/gai.conf",     "/etc/passwd",
                                "/etc/group",         "/etc/localtime",    "/etc/ld.so.cache",
                                "/etc/ld.so.conf",    "/etc/ld.so.conf.d", "/etc/mime.types",
                                "/etc/protocols",     "/etc/services",     "/etc/os-release"};

void Add(std::vector<std::string>& out, std::initializer_list<std::string> args) {
  out.insert(out.end(), args);
}

// /bin, /lib, ... are symlinks into /usr on merged systems (Debian 12), directories elsewhere.
void AddTopLevel(std::vector<std::string>& out, const std::string& path) {
  std::error_code ec;
  if (fs::is_symlink(path, ec)) {
    Add(out, {"--symlink", fs::read_symlink(path, ec).string(), path});
  } else if (fs::is_directory(path, ec)) {
    Add(out, {"--ro-bind", path, path});
  }
}

// Runs `true` the way functions will run; an error says what failed.
absl::Status Probe(const SandboxSettings& sandbox) {
  std::error_code ec;
  std::string root = fs::temp_directory_path(ec).string();
  if (ec || root.empty()) root = "/tmp";
  std::vector<std::string> argv = Sandboxed(sandbox, root, {"/bin/true"});
  std::vector<char*> ptrs;
  for (std::string& a : argv) ptrs.push_back(a.data());
  ptrs.push_back(nullptr);
  const pid_t pid = fork();
  if (pid == 0) {
    // Only async-signal-safe calls after fork: the worker has threads.
    const int null = ::open("/dev/null", O_WRONLY | O_CLOEXEC);
    if (null >= 0) ::dup2(null, 2);
    execv(ptrs[0], ptrs.data());
    _exit(127);
  }
  int status = 0;
  if (pid < 0 || waitpid(pid, &status, 0) != pid) return absl::InternalError("fork");
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return absl::OkStatus();
  return absl::FailedPreconditionError(
      absl::StrCat("bubblewrap could not start a sandbox here (", sandbox.bwrap, " exit ",
                   WIFEXITED(status) ? WEXITSTATUS(status) : -1,
                   "; it needs root, or user namespaces, and the function user)"));
}

}  // namespace

std::string TaskRootSeen(const SandboxSettings& sandbox, const std::string& host_root) {
  return sandbox.enabled ? kSandboxTaskRoot : host_root;
}

std::vector<std::string> Sandboxed(const SandboxSettings& sandbox, const std::string& host_root,
                                   const std::vector<std::string>& argv) {
  if (!sandbox.enabled) return argv;
  // --new-session: no controlling terminal of the worker's, so no TIOCSTI into the shell that
  // started it.
  std::vector<std::string> out = {
      sandbox.bwrap,   "--die-with-parent",    "--new-session", "--unshare-pid", "--unshare-ipc",
      "--unshare-uts", "--unshare-cgroup-try", "--ro-bind",     "/usr",          "/usr"};
  for (const char* top : {"/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32"}) {
    AddTopLevel(out, top);
  }
  // Directories bubblewrap makes on the way to a mount are its user's alone (0700): the function
  // user could not pass them.
  Add(out, {"--perms", "0755", "--dir", "/etc"});
  for (const char* etc : kEtc) Add(out, {"--ro-bind-try", etc, etc});
  Add(out, {"--proc", "/proc", "--dev", "/dev"});
  Add(out, {"--perms", "1777", "--size", std::to_string(sandbox.tmp_bytes), "--tmpfs", "/tmp"});
  Add(out, {"--perms", "0755", "--dir", "/var", "--ro-bind", host_root, kSandboxTaskRoot, "--chdir",
            kSandboxTaskRoot, "--setenv", "HOME", "/tmp"});
  // After the mounts: the function's user, no capabilities, no way back up (no setuid binaries).
  Add(out, {"--", sandbox.setpriv, absl::StrCat("--reuid=", sandbox.uid),
            absl::StrCat("--regid=", sandbox.gid), "--clear-groups", "--inh-caps=-all",
            "--bounding-set=-all", "--no-new-privs", "--"});
  out.insert(out.end(), argv.begin(), argv.end());
  return out;
}

absl::StatusOr<SandboxSettings> DetectSandbox(const std::string& mode, const std::string& user,
                                              uint64_t tmp_bytes, std::string* why_not) {
  SandboxSettings sandbox;
  sandbox.tmp_bytes = tmp_bytes;
  sandbox.user = user;
  if (mode == "off") {
    *why_not = "--sandbox=off";
    return sandbox;
  }
  if (mode != "auto" && mode != "required") {
    return absl::InvalidArgumentError(
        absl::StrCat("--sandbox: '", mode, "' is none of auto, required, off"));
  }
  absl::Status usable = absl::OkStatus();
  const passwd* entry = getpwnam(user.c_str());
  if (entry == nullptr) {
    usable = absl::InvalidArgumentError(absl::StrCat("--function_user: no user '", user, "'"));
  } else if (entry->pw_uid == 0) {
    usable = absl::InvalidArgumentError("--function_user: functions never run as root");
  } else if (access(sandbox.bwrap.c_str(), X_OK) != 0 || access(sandbox.setpriv.c_str(), X_OK)) {
    usable = absl::FailedPreconditionError(absl::StrCat(
        sandbox.bwrap, " or ", sandbox.setpriv, " is missing (Debian: bubblewrap, util-linux)"));
  } else {
    sandbox.uid = entry->pw_uid;
    sandbox.gid = entry->pw_gid;
    sandbox.enabled = true;
    usable = Probe(sandbox);
  }
  if (usable.ok()) return sandbox;
  sandbox.enabled = false;
  if (mode == "required") {
    return absl::FailedPreconditionError(absl::StrCat("--sandbox=required: ", usable.message()));
  }
  *why_not = std::string(usable.message());
  return sandbox;
}

}  // namespace fanout::worker
