// The production JobStore: RocksDB with column families for jobs, specs, tasks, idempotency keys,
// the jobs to load at start and the ended jobs by end time (store_keys.h). Every transition is one
// WriteBatch, group-committed with a synced WAL. At start only running jobs (and those with a
// fan-in to write) are loaded: start-up time and memory do not grow with the jobs kept.
//   rocksdb_job_store.cc       open, load, persist, read
//   rocksdb_retention.cc       forgetting keys and deleting jobs past their retention
#ifndef FANOUT_COORDINATOR_ROCKSDB_JOB_STORE_H_
#define FANOUT_COORDINATOR_ROCKSDB_JOB_STORE_H_

#include <functional>
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
  // Records to delete, in a batch of their own.
  using Deletes = std::vector<std::pair<rocksdb::ColumnFamilyHandle*, std::string>>;
  // An entry of the ended CF: a job that ended, by when.
  struct EndedEntry {
    std::string key;
    uint64_t end_micros = 0;
    uint64_t seq = 0;
  };

  RocksDbJobStore(Clock& clock, RetryPolicy policy);
  absl::Status Load(const Options& options);
  absl::Status LoadRecords(absl::Duration lease_grace) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  absl::Status LoadTasksOfRunningJobs(absl::Duration lease_grace)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // A data directory from before the active and ended families: fills them from the jobs, once.
  absl::Status Migrate();

  uint64_t Persist(const ChangeSet& changes) override ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  absl::Status AwaitDurable(uint64_t ticket) override;
  uint64_t DurableTicket() override { return committer_->durable(); }
  absl::StatusOr<std::optional<v1::Task>> ReadTask(TaskKey key) override;
  absl::StatusOr<std::vector<v1::Task>> ReadTasks(uint64_t job_seq, uint64_t begin,
                                                  uint64_t end) override;
  absl::StatusOr<std::optional<v1::Job>> ReadJob(uint64_t seq) override;
  absl::StatusOr<std::vector<v1::Job>> ReadJobs(uint64_t before_seq, size_t limit) override;
  absl::StatusOr<std::optional<uint64_t>> ReadKey(absl::string_view key) override;

  // --- Retention (rocksdb_retention.cc) ---
  absl::StatusOr<RetentionDone> Expire(absl::Time keys_before, absl::Time jobs_before) override;
  // Entries of `kind` that ended before `before`, oldest first, at most `max`.
  absl::StatusOr<std::vector<EndedEntry>> Ended(char kind, absl::Time before, size_t max);
  // What an entry stands for: its job, as it left memory and ended when the entry says (fills
  // `job`); a stale entry (a redriven job runs again, or ended again later); or a job whose record
  // is gone (deleted by an earlier pass that left tasks, or unreadable).
  enum class Standing { kCurrent, kStale, kGone };
  absl::StatusOr<Standing> Current(const EndedEntry& entry, std::optional<v1::Job>* job);
  // Deletes the keys of `job` that still name it.
  absl::Status ForgetKeys(const v1::Job& job, uint64_t seq, Deletes* deletes);
  // Deletes up to `budget` of a job's task records; true when none is left.
  absl::StatusOr<bool> DeleteTasks(uint64_t seq, size_t* budget, Deletes* deletes);
  // Writes `deletes` in order with the transitions, and waits until they are durable.
  absl::Status Write(const Deletes& deletes) ABSL_LOCKS_EXCLUDED(mu_);

  // Constant after Open.
  std::unique_ptr<rocksdb::DB> db_;
  // default, jobs, tasks, idempotency, specs, active, ended
  std::vector<rocksdb::ColumnFamilyHandle*> handles_;
  rocksdb::ColumnFamilyHandle* jobs_cf_ = nullptr;
  rocksdb::ColumnFamilyHandle* tasks_cf_ = nullptr;
  rocksdb::ColumnFamilyHandle* idempotency_cf_ = nullptr;
  rocksdb::ColumnFamilyHandle* specs_cf_ = nullptr;
  rocksdb::ColumnFamilyHandle* active_cf_ = nullptr;
  rocksdb::ColumnFamilyHandle* ended_cf_ = nullptr;
  std::unique_ptr<GroupCommitter> committer_;
  // Buffers for Persist, reused (see TableBackedJobStore::Scratch).
  std::string scratch_ ABSL_GUARDED_BY(mu_);
  std::vector<TaskKey> sorted_tasks_ ABSL_GUARDED_BY(mu_);
  std::vector<uint64_t> sorted_jobs_ ABSL_GUARDED_BY(mu_);
  // Where the last retention pass stopped in the ended CF, per kind: entries before it are gone
  // (only their tombstones are left), so the next pass does not walk them again.
  std::string forget_from_ ABSL_GUARDED_BY(maintenance_mu_);
  std::string delete_from_ ABSL_GUARDED_BY(maintenance_mu_);
  absl::Time rewalk_at_ ABSL_GUARDED_BY(maintenance_mu_) = absl::InfinitePast();
};

}  // namespace fanout::coordinator

#endif  // FANOUT_COORDINATOR_ROCKSDB_JOB_STORE_H_
