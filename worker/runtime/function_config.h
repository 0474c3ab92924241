// A function version as a worker runs it: what its runtime needs to start and what limits it gets.
#ifndef FANOUT_WORKER_RUNTIME_FUNCTION_CONFIG_H_
#define FANOUT_WORKER_RUNTIME_FUNCTION_CONFIG_H_

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "absl/time/time.h"
#include "worker/runtime/sandbox.h"

namespace fanout::worker {

struct FunctionConfig {
  std::string name;
  uint32_t version = 1;
  std::string runtime = "provided";  // "provided" or "exec"
  std::string handler;               // _HANDLER; for exec, the command line
  uint32_t memory_mb = 128;
  absl::Duration timeout = absl::Seconds(300);
  std::vector<std::pair<std::string, std::string>> env;  // the function's own, in order
  std::string task_root;                                 // the unpacked bundle

  std::string key() const { return name + ":" + std::to_string(version); }
};

// What every runtime of a worker shares.
struct RuntimeSettings {
  std::string region = "local";
  // Writable cgroup roots ("/sys/fs/cgroup/memory", ...); empty: limits are not enforced (said
  // once in the log). Filled by CgroupLimits::Detect.
  bool enforce_limits = true;
  std::string log_dir;      // per-function log files; empty: none kept
  SandboxSettings sandbox;  // disabled: functions run as the worker's user, unconfined
};

}  // namespace fanout::worker

#endif  // FANOUT_WORKER_RUNTIME_FUNCTION_CONFIG_H_
