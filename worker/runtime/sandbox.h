// Users' functions in a sandbox (bubblewrap): a mount namespace that holds only the system's
// programs and libraries (read-only), a few files of /etc, the function's own code (read-only,
// at its usual path) and a private /tmp of bounded size — so no other function's code, no token
// file, no data dir; a PID namespace whose end kills every process the function left behind; and
// an unprivileged user (setpriv drops to it after the mounts are made). The network is shared: a
// function calls S3 and its own Runtime API on loopback.
#ifndef FANOUT_WORKER_RUNTIME_SANDBOX_H_
#define FANOUT_WORKER_RUNTIME_SANDBOX_H_

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace fanout::worker {

struct SandboxSettings {
  bool enabled = false;
  uid_t uid = 65534;
  gid_t gid = 65534;
  std::string user = "nobody";
  uint64_t tmp_bytes = 512ull << 20;  // Lambda's default /tmp
  std::string bwrap = "/usr/bin/bwrap";
  std::string setpriv = "/usr/bin/setpriv";
};

// `mode` "auto" (a sandbox where bubblewrap works here, else none, saying why), "required" (an
// error where it does not) or "off"; `user` runs the functions.
absl::StatusOr<SandboxSettings> DetectSandbox(const std::string& mode, const std::string& user,
                                              uint64_t tmp_bytes, std::string* why_not);

// Where a sandboxed function finds its code: /var/task, as on AWS Lambda (the worker's cache
// path would need its directories visible on the way).
inline constexpr char kSandboxTaskRoot[] = "/var/task";

// The task root as the function sees it: kSandboxTaskRoot when sandboxed, else `host_root`.
std::string TaskRootSeen(const SandboxSettings& sandbox, const std::string& host_root);

// `argv` (naming paths as TaskRootSeen gives them) to run inside the sandbox, with `host_root`
// its code, read-only at kSandboxTaskRoot and the working directory.
std::vector<std::string> Sandboxed(const SandboxSettings& sandbox, const std::string& host_root,
                                   const std::vector<std::string>& argv);

}  // namespace fanout::worker

#endif  // FANOUT_WORKER_RUNTIME_SANDBOX_H_
