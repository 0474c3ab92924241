// The production JobStore: RocksDB with column families for jobs, tasks and idempotency keys
// (store_keys.h). Every transition is one WriteBatch, group-committed with a synced WAL. The
// in-memory TaskTable (ready index, leases) is rebuilt from disk when the store opens.
#ifndef FANOUT_COORDINATOR_ROCKSDB_JOB_STORE_H_
#define FANOUT_COORDINATOR_ROCKSDB_JOB_STORE_H_

#include <memory>
#include <string>
#include <vector>

#include "coordinator/group_committer.h"
#include "coordinator/table_backed_job_store.h"
#include "rocksdb/db.h"

namespace fanout::coordinator {

// Thread-safe. Single writer of its directory (RocksDB's LOCK file refuses a second process).
class RocksDbJobStore : public TableBackedJobStore {
 public:
  struct Options {
    std::string path;
    // Sync the WAL before a verb returns. Off only for benchmarks that say so.
    bool sync = true;
    // Leases found on disk are honoured for at least this long after opening, and again after
    // StartServing (see TaskTable::LoadTask and GraceLoadedLeases).
    absl::Duration lease_grace = absl::Seconds(10);
    // RocksDB's Env; null means the default. Tests inject failing disks through it.
    rocksdb::Env* env = nullptr;
    // Told of every disk write (see GroupCommitter::Observer): the coordinator's metrics.
    GroupCommitter::Observer on_commit;
  };

  static absl::StatusOr<std::unique_ptr<RocksDbJobStore>> Open(const Options& options, Clock& clock,
                                                               RetryPolicy policy);
  ~RocksDbJobStore() override;

  GroupCommitter::Stats commit_stats() { return committer_->stats(); }

 private:
  RocksDbJobStore(Clock& clock, RetryPolicy policy);
  absl::Status Load(absl::Duration lease_grace);
  absl::Status LoadRecords(absl::Duration lease_grace) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  absl::Status LoadTasksOfRunningJobs(absl::Duration lease_grace)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  uint64_t Persist(const ChangeSet& changes) override ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  absl::Status AwaitDurable(uint64_t ticket) override;
  absl::StatusOr<std::optional<v1::Task>> ReadTask(TaskKey key) override;
  absl::StatusOr<std::vector<v1::Task>> ReadTasks(uint64_t job_seq, uint64_t begin,
                                                  uint64_t end) override;

  // Constant after Open.
  std::unique_ptr<rocksdb::DB> db_;
  std::vector<rocksdb::ColumnFamilyHandle*> handles_;  // default, jobs, tasks, idempotency, specs
  rocksdb::ColumnFamilyHandle* jobs_cf_ = nullptr;
  rocksdb::ColumnFamilyHandle* tasks_cf_ = nullptr;
  rocksdb::ColumnFamilyHandle* idempotency_cf_ = nullptr;
  rocksdb::ColumnFamilyHandle* specs_cf_ = nullptr;
  std::unique_ptr<GroupCommitter> committer_;
  // Buffers for Persist, reused (see TableBackedJobStore::Scratch).
  std::string scratch_ ABSL_GUARDED_BY(mu_);
  std::vector<TaskKey> sorted_tasks_ ABSL_GUARDED_BY(mu_);
  std::vector<uint64_t> sorted_jobs_ ABSL_GUARDED_BY(mu_);
};

}  // namespace fanout::coordinator

#endif  // FANOUT_COORDINATOR_ROCKSDB_JOB_STORE_H_
