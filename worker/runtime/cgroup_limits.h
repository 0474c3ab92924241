// A runtime's resource limits through cgroups: memory (the function's --memory_mb; going over
// kills the runtime, reported as Runtime.OutOfMemory), a CPU weight proportional to memory (as
// Lambda: 1,769 MB is one vCPU's share; a weight, not a cap, so an idle machine is not wasted) and
// a process count cap. cgroup v2 where its memory controller is available, v1 otherwise. Each
// runtime's group is made inside the worker's own group, so the worker's limits still hold.
#ifndef FANOUT_WORKER_RUNTIME_CGROUP_LIMITS_H_
#define FANOUT_WORKER_RUNTIME_CGROUP_LIMITS_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace fanout::worker {

// Thread-compatible. Owned by one runtime; destroying it kills what is left inside and removes the
// groups.
class CgroupLimits {
 public:
  static constexpr int kMaxProcesses = 1024;

  // kUnavailable (with why) when no writable memory controller is found.
  static absl::StatusOr<std::unique_ptr<CgroupLimits>> Create(const std::string& name,
                                                              uint32_t memory_mb);
  ~CgroupLimits();

  // The files a child writes "0" to before exec, to join the groups.
  const std::vector<std::string>& procs_files() const { return procs_; }
  // True when the kernel's OOM killer killed a process of this group.
  bool OomKilled() const;
  // SIGKILL to every process in the group, including ones that left the runtime's process group.
  void KillAll() const;
  // Ends what workers that are gone left behind: every process in a group named fanout-PID-... or
  // fanout-exec-PID-... whose PID no longer runs, then the group. A worker killed outright cannot
  // do this itself; the next one on the machine does it when it starts. Returns the groups swept.
  // Workers that share a cgroup parent must share a PID namespace (one host, one pod), since the
  // owner is found by its process id.
  static int SweepOrphans();

 private:
  CgroupLimits() = default;
  std::vector<std::string> dirs_;  // every group made; dirs_[0] holds the memory controller
  std::vector<std::string> procs_;
  bool v2_ = false;
};

}  // namespace fanout::worker

#endif  // FANOUT_WORKER_RUNTIME_CGROUP_LIMITS_H_
