// A JobStore that keeps its records in memory: for unit tests and nothing else (it survives no
// crash). Its records stand in for a disk: jobs leave the TaskTable as they do in production, and
// are then read from here.
#ifndef FANOUT_COORDINATOR_IN_MEMORY_JOB_STORE_H_
#define FANOUT_COORDINATOR_IN_MEMORY_JOB_STORE_H_

#include <map>
#include <string>

#include "coordinator/table_backed_job_store.h"

namespace fanout::coordinator {

// Thread-safe.
class InMemoryJobStore : public TableBackedJobStore {
 public:
  InMemoryJobStore(Clock& clock, RetryPolicy policy);

 private:
  uint64_t Persist(const ChangeSet& changes) override ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  absl::Status AwaitDurable(uint64_t ticket) override { return absl::OkStatus(); }
  uint64_t DurableTicket() override { return std::numeric_limits<uint64_t>::max(); }
  absl::StatusOr<std::optional<v1::Task>> ReadTask(TaskKey key) override;
  absl::StatusOr<std::vector<v1::Task>> ReadTasks(uint64_t job_seq, uint64_t begin,
                                                  uint64_t end) override;
  absl::StatusOr<std::optional<v1::Job>> ReadJob(uint64_t seq) override;
  absl::StatusOr<std::vector<v1::Job>> ReadJobs(uint64_t before_seq, size_t limit) override;
  absl::StatusOr<std::optional<uint64_t>> ReadKey(absl::string_view key) override;
  absl::StatusOr<RetentionDone> Expire(absl::Time keys_before, absl::Time jobs_before) override;

  // The records, as last written. Guarded by disk_mu_ (read with or without mu_ held).
  absl::Mutex disk_mu_ ABSL_ACQUIRED_AFTER(mu_);
  std::map<TaskKey, v1::Task> tasks_ ABSL_GUARDED_BY(disk_mu_);
  std::map<uint64_t, v1::Job> jobs_ ABSL_GUARDED_BY(disk_mu_);
  std::map<std::string, uint64_t, std::less<>> keys_ ABSL_GUARDED_BY(disk_mu_);
};

}  // namespace fanout::coordinator

#endif  // FANOUT_COORDINATOR_IN_MEMORY_JOB_STORE_H_
