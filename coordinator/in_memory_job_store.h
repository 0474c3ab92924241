// A JobStore that keeps its records in memory: for unit tests and nothing else (it survives no
// crash).
#ifndef FANOUT_COORDINATOR_IN_MEMORY_JOB_STORE_H_
#define FANOUT_COORDINATOR_IN_MEMORY_JOB_STORE_H_

#include <map>

#include "coordinator/table_backed_job_store.h"

namespace fanout::coordinator {

// Thread-safe.
class InMemoryJobStore : public TableBackedJobStore {
 public:
  InMemoryJobStore(Clock& clock, RetryPolicy policy);

 private:
  uint64_t Persist(const ChangeSet& changes) override ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  absl::Status AwaitDurable(uint64_t ticket) override { return absl::OkStatus(); }
  absl::StatusOr<std::optional<v1::Task>> ReadTask(TaskKey key) override;
  absl::StatusOr<std::vector<v1::Task>> ReadTasks(uint64_t job_seq, uint64_t begin,
                                                  uint64_t end) override;

  // Every task record as last written. Guarded by mu_.
  std::map<TaskKey, v1::Task> records_ ABSL_GUARDED_BY(mu_);
};

}  // namespace fanout::coordinator

#endif  // FANOUT_COORDINATOR_IN_MEMORY_JOB_STORE_H_
