// The JobStore verbs, implemented once over a TaskTable. Subclasses decide only where records go:
// memory (InMemoryJobStore) or RocksDB (RocksDbJobStore). Each verb changes the table under mu_,
// hands the changed records to Persist() in transition order, and waits for them to be durable
// after releasing mu_ — so that concurrent verbs share one disk sync (group commit). Jobs that
// ended leave the table once their end is durable; from then on they are read from the records.
//   table_backed_job_store.cc         submit and the worker protocol
//   table_backed_job_store_reads.cc   jobs, listings and tasks, from memory or the records
//   table_backed_job_store_admin.cc   cancel, redrive, concurrency, fan-in, eviction, retention
#ifndef FANOUT_COORDINATOR_TABLE_BACKED_JOB_STORE_H_
#define FANOUT_COORDINATOR_TABLE_BACKED_JOB_STORE_H_

#include <atomic>
#include <deque>
#include <optional>
#include <utility>

#include "absl/base/thread_annotations.h"
#include "absl/functional/function_ref.h"
#include "absl/synchronization/mutex.h"
#include "common/clock.h"
#include "coordinator/job_store.h"
#include "coordinator/task_table.h"

namespace fanout::coordinator {

// Thread-safe.
class TableBackedJobStore : public JobStore {
 public:
  absl::StatusOr<SubmitOutcome> SubmitJob(const v1::JobSpec& spec,
                                          std::unique_ptr<Splitter> splitter) override;
  std::vector<absl::StatusOr<SubmitOutcome>> SubmitJobs(
      std::vector<SubmitRequest> requests) override;
  absl::StatusOr<LeaseGrant> LeaseTasks(absl::string_view worker_id, size_t max,
                                        absl::Duration ttl) override;
  absl::StatusOr<LeaseGrant> Regrant(const std::vector<v1::TaskRef>& refs) override;
  absl::StatusOr<std::vector<v1::LeaseStatus>> RenewLeases(
      const google::protobuf::RepeatedPtrField<v1::TaskRef>& refs, absl::Duration ttl,
      const std::vector<HandlerSaid>& said) override;
  absl::StatusOr<std::vector<ReportVerdict>> ReportOutcomes(
      const google::protobuf::RepeatedPtrField<v1::TaskOutcome>& outcomes) override;
  absl::StatusOr<std::vector<v1::LeaseStatus>> Checkpoint(
      const google::protobuf::RepeatedPtrField<v1::CheckpointEntry>& entries,
      absl::Duration ttl) override;
  absl::StatusOr<size_t> ExpireLeases() override;
  absl::StatusOr<RetentionDone> ApplyRetention(const RetentionPolicy& policy) override;
  absl::StatusOr<RedriveOutcome> RedriveJob(absl::string_view job_id, bool from_scratch) override;
  absl::StatusOr<v1::Job> SetMaxConcurrency(absl::string_view job_id, uint32_t limit) override;
  std::vector<v1::Job> PendingFanIns() override;
  absl::StatusOr<v1::Job> RecordFanIn(absl::string_view job_id, uint32_t redrives,
                                      v1::FanIn fan_in) override;
  absl::StatusOr<v1::Job> CancelJob(absl::string_view job_id) override;
  absl::StatusOr<v1::Job> GetJob(absl::string_view job_id) override;
  std::vector<v1::Job> ListJobs(uint64_t before_seq, size_t limit) override;
  absl::StatusOr<std::vector<v1::Task>> ListTasks(absl::string_view job_id, uint64_t start_index,
                                                  size_t limit) override;
  absl::Status AppendTasks(uint64_t job_seq, std::vector<NewTask> tasks, std::string cursor,
                           bool done) override;
  absl::Status FailJob(uint64_t job_seq, absl::string_view why) override;
  std::vector<SplitWork> PendingSplits() override;
  std::optional<absl::Time> NextWakeup() override;
  TaskTotals Totals() override;
  std::vector<JobGauge> Gauges(absl::Duration ended_within) override;
  absl::Status health() override;
  void StartServing() override;
  // Jobs held in memory now (running, and ended ones not yet evicted): for tests and benchmarks.
  size_t resident_jobs();

 protected:
  TableBackedJobStore(Clock& clock, RetryPolicy policy);

  // Writes the records `changes` names (read from table_) as one atomic batch, after every batch
  // persisted before it. Returns a ticket for AwaitDurable.
  virtual uint64_t Persist(const ChangeSet& changes) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) = 0;
  // Blocks until the batch of `ticket` (and all before it) is durable.
  virtual absl::Status AwaitDurable(uint64_t ticket) ABSL_LOCKS_EXCLUDED(mu_) = 0;
  // Every ticket up to the one returned is durable (and readable) now; does not block.
  virtual uint64_t DurableTicket() = 0;
  // The stored records (read any time; with mu_ held or not):
  // a task's, ended or not; nullopt if there is none.
  virtual absl::StatusOr<std::optional<v1::Task>> ReadTask(TaskKey key) = 0;
  // A job's tasks with index in [begin, end), in index order.
  virtual absl::StatusOr<std::vector<v1::Task>> ReadTasks(uint64_t job_seq, uint64_t begin,
                                                          uint64_t end) = 0;
  // A job's, spec included; nullopt if there is none (never created, or deleted by retention).
  virtual absl::StatusOr<std::optional<v1::Job>> ReadJob(uint64_t seq) = 0;
  // Jobs below `before_seq` (0: from the newest), newest first.
  virtual absl::StatusOr<std::vector<v1::Job>> ReadJobs(uint64_t before_seq, size_t limit) = 0;
  // The job a stored idempotency or item key names.
  virtual absl::StatusOr<std::optional<uint64_t>> ReadKey(absl::string_view key) = 0;
  // Forgets the keys of jobs that ended before `keys_before` and deletes the jobs that ended before
  // `jobs_before`, a bounded amount per call. Runs with maintenance_mu_ held (no redrive
  // meanwhile).
  virtual absl::StatusOr<RetentionDone> Expire(absl::Time keys_before, absl::Time jobs_before)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(maintenance_mu_) = 0;

  // Persists `changes`, drops ended tasks from the table, and queues jobs that ended for eviction.
  // Returns the ticket to wait for: the latest one even when nothing changed, because the caller
  // may be answering from state that an earlier, not yet durable verb produced.
  uint64_t Commit(const ChangeSet& changes) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // AwaitDurable, turning a failed write into a store that refuses further work: memory is then
  // ahead of the disk and only a restart (which reloads from disk) makes them agree again.
  absl::Status Durable(uint64_t ticket) ABSL_LOCKS_EXCLUDED(mu_);
  // Evicts the queued ended jobs whose end is durable.
  void EvictDurable() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  // Constant after construction.
  Clock& clock_;
  absl::Duration lease_grace_;  // set by implementations that load leases from disk

  // Held by a redrive and by retention: a job being deleted is never brought back half-deleted.
  absl::Mutex maintenance_mu_ ABSL_ACQUIRED_BEFORE(mu_);
  absl::Mutex mu_;
  // Guarded by mu_.
  TaskTable table_ ABSL_GUARDED_BY(mu_);
  uint64_t last_ticket_ ABSL_GUARDED_BY(mu_) = 0;

 private:
  // The job `seq`, from memory or the records (after what memory showed is durable).
  absl::StatusOr<std::optional<v1::Job>> FindAnywhere(uint64_t seq) ABSL_LOCKS_EXCLUDED(mu_);
  // With mu_ held: the job a key names, resident or stored.
  absl::StatusOr<std::optional<uint64_t>> KeyOwner(absl::string_view key)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  absl::StatusOr<std::optional<v1::Job>> JobUnderLock(uint64_t seq)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Submit, under mu_: a new job (its writes added to `changes`), or the one `spec`'s keys already
  // made. An error leaves `changes` as it was.
  absl::Status SubmitLocked(const v1::JobSpec& spec, std::unique_ptr<Splitter> splitter,
                            SubmitOutcome* out, ChangeSet& changes)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // ListTasks for the indices [begin, end) that `written` (read from disk) lacks.
  absl::StatusOr<std::vector<v1::Task>> FillUnwritten(const v1::Job& job, uint64_t seq,
                                                      uint64_t begin, uint64_t end,
                                                      std::vector<v1::Task> written);
  // With the job in memory: `change` under mu_, committed; the job once durable. nullopt when the
  // job is not in memory (it ended and left, or is unknown).
  absl::StatusOr<std::optional<v1::Job>> ChangeJob(
      absl::string_view job_id,
      absl::FunctionRef<absl::StatusOr<const v1::Job*>(ChangeSet&)> change)
      ABSL_LOCKS_EXCLUDED(mu_);
  // Keeps a job in memory for a redrive (bringing it back from disk if it had left), so that no
  // eviction takes it from under the redrive; Unpin lets it go (queued for eviction if it is
  // still ended).
  absl::StatusOr<uint64_t> Pin(absl::string_view job_id)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(maintenance_mu_);
  void Unpin() ABSL_EXCLUSIVE_LOCKS_REQUIRED(maintenance_mu_);
  absl::StatusOr<RedriveOutcome> RedrivePinned(absl::string_view job_id, uint64_t seq,
                                               bool from_scratch)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(maintenance_mu_);

  // An empty ChangeSet for the verb holding mu_: one reused set, because allocating (and freeing)
  // a hash table of a thousand keys per verb made malloc consolidate on every call.
  ChangeSet& Scratch() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  // Guarded by mu_.
  ChangeSet scratch_ ABSL_GUARDED_BY(mu_);
  absl::Status broken_ ABSL_GUARDED_BY(mu_);
  // Jobs that ended, with the ticket of the batch that recorded it: evicted once it is durable.
  std::deque<std::pair<uint64_t, uint64_t>> evictions_ ABSL_GUARDED_BY(mu_);
  std::atomic<bool> evictions_pending_{false};  // !evictions_.empty(), read without mu_
  uint64_t pinned_ ABSL_GUARDED_BY(mu_) = 0;    // the job a redrive holds in memory (0: none)
};

}  // namespace fanout::coordinator

#endif  // FANOUT_COORDINATOR_TABLE_BACKED_JOB_STORE_H_
