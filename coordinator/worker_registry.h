// The workers the coordinator has heard from, for `fanout workers`, the dashboard and the metrics.
// Workers are stateless and announce themselves with every call. One that said goodbye, or has
// not called within the lease TTL, is gone: still listed, counted nowhere; after an hour it is
// forgotten.
#ifndef FANOUT_COORDINATOR_WORKER_REGISTRY_H_
#define FANOUT_COORDINATOR_WORKER_REGISTRY_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "proto/job_service.pb.h"
#include "proto/worker_service.pb.h"

namespace fanout::coordinator {

// Thread-safe. Owned by JobManager.
class WorkerRegistry {
 public:
  explicit WorkerRegistry(absl::Duration forget_after = absl::Hours(1))
      : forget_after_(forget_after) {}

  // Records a call from `info`'s worker; `leases` is how many leases it holds, when the call says.
  // After its goodbye (WorkerInfo.leaving) a worker stays gone, also for a call it sent before;
  // a worker started again under the same id (another started_at) is back. What it runs (busy
  // slots, handlers by job) is taken from renewals only (`renewal`): reports and lease calls are
  // sent as tasks end, when their slots are idle for a moment, so they would always say too few.
  void Touch(const v1::WorkerInfo& info, absl::Time now, std::optional<uint32_t> leases,
             bool renewal = false);
  // The worker said goodbye: its lease calls are answered at once, with nothing.
  bool Leaving(const v1::WorkerInfo& info);
  // Workers seen within `forget_after`, most recently seen first; gone (WorkerStatus.gone) when
  // they left or were not seen within `gone_after`.
  std::vector<v1::WorkerStatus> List(absl::Time now, absl::Duration gone_after);
  // Handlers running now by job id, summed over the workers not gone (each as its last call said).
  absl::flat_hash_map<std::string, uint64_t> RunningByJob(absl::Time now,
                                                          absl::Duration gone_after);
  // The same for one job (what a watch or a status reads: no map of every job).
  uint64_t RunningOf(const std::string& job_id, absl::Time now, absl::Duration gone_after);

 private:
  const absl::Duration forget_after_;
  absl::Mutex mu_;
  absl::flat_hash_map<std::string, v1::WorkerStatus> workers_ ABSL_GUARDED_BY(mu_);
  // Workers that said goodbye: id -> the started_at (as text) of the one that left.
  absl::flat_hash_map<std::string, std::string> left_ ABSL_GUARDED_BY(mu_);
};

}  // namespace fanout::coordinator

#endif  // FANOUT_COORDINATOR_WORKER_REGISTRY_H_
