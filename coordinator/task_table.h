// The coordinator's in-memory state: the resident jobs (running ones, and ended ones until their
// end is on disk and their fan-in written), every task of theirs that has not ended, the ready
// index and the lease deadlines, plus the state machine that moves tasks between states
// (docs/task-states.md). It does no I/O: what has left memory is the owning JobStore's to read
// from disk. Each verb records what it changed in a ChangeSet; the store writes those records
// before anyone hears of the change, then calls Retire() to drop tasks that ended and Evict() to
// drop jobs that ended. Memory is O(running and recently ended jobs), never O(all jobs ever).
#ifndef FANOUT_COORDINATOR_TASK_TABLE_H_
#define FANOUT_COORDINATOR_TASK_TABLE_H_

#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/container/node_hash_map.h"
#include "absl/functional/function_ref.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "coordinator/change_set.h"
#include "coordinator/lease_heap.h"
#include "coordinator/ready_index.h"
#include "coordinator/retry_policy.h"
#include "coordinator/splitter.h"
#include "coordinator/task_key.h"
#include "proto/fanout.pb.h"
#include "proto/worker_service.pb.h"

namespace fanout::coordinator {

// What a worker said of a lease's handler when it renewed the lease.
enum class HandlerSaid { kNothing, kStarted, kWaiting };

// What a report did: committed, a repeat of one already committed by the same epoch, refused as
// stale, about nothing known, or about a task no longer in memory (the store then judges it from
// disk).
enum class ReportVerdict { kAccepted, kDuplicate, kStale, kUnknown, kNotLive };

// A task split off a sequential source: its items, or — for a bad entry of the source — why it
// fails at once as invalid input.
struct NewTask {
  std::vector<std::string> items;
  std::string error;
};

// A running job whose sequential source has more to read.
struct SplitWork {
  uint64_t job_seq = 0;
  std::string job_id;
  v1::JobSpec spec;
  std::string cursor;
  size_t backlog = 0;  // its tasks ready and not yet leased
};

struct LeaseGrant {
  std::vector<v1::LeasedTask> tasks;
  std::vector<v1::JobContext>
      jobs;  // one per job among `tasks`; timeout unset unless the job set it
};

// Transitions since the process started (never since the data was created): what the coordinator's
// counters export.
struct TaskTotals {
  uint64_t jobs_submitted = 0;
  uint64_t dispatched = 0;  // leases granted
  uint64_t succeeded = 0;
  uint64_t failed = 0;
  uint64_t dead = 0;
  uint64_t cancelled = 0;
  uint64_t continued = 0;  // invocations that reached the time limit and continue
  uint64_t retried = 0;    // failed attempts sent back to PENDING
  uint64_t lease_expiries = 0;
  uint64_t invocations = 0;  // metered invocations (see Usage)
  double gb_seconds = 0;

  // `n` tasks moved to `to`: counted when `to` is leased or an end state.
  void Count(v1::TaskState to, uint64_t n = 1);
};

// What the coordinator's gauges show of one job.
struct JobGauge {
  std::string job_id;
  std::string function;
  v1::JobState state = v1::JOB_STATE_UNSPECIFIED;
  v1::TaskCounts counts;
  // Since when the job's oldest pending task has waited (none pending: unset).
  std::optional<absl::Time> oldest_pending_since;
};

inline constexpr int kAttemptHistory = 16;
// How long after it ended a job can still be shown by Gauges().
inline constexpr absl::Duration kGaugedEndedJobs = absl::Hours(1);
// Ended jobs remembered after they left memory (see TaskTable::RecentlyEnded).
inline constexpr size_t kRecentlyEnded = 10'000;
inline constexpr uint32_t kDefaultMaxStalledContinuations = 3;
// Ready tasks kept materialized per job: enough for several full lease batches.
inline constexpr size_t kMaterializeWindow = 4096;

// Thread-compatible: the owning JobStore serializes every call.
class TaskTable {
 public:
  explicit TaskTable(RetryPolicy policy);

  // --- Jobs (task_table.cc) ---
  // A resident job; null for one that is not in memory (ended and evicted, or unknown).
  const v1::Job* FindJob(absl::string_view job_id) const;
  // The resident job an idempotency key (or item key) names; nullopt when no resident job has it
  // (the store then looks on disk).
  std::optional<uint64_t> ResidentKey(absl::string_view key) const;
  // A job whose tasks `splitter` yields; they are materialized lazily, a window at a time, and
  // written to disk only once something happens to them (a lease, a cancel). Without a splitter the
  // job's source is sequential: its tasks arrive through AppendTasks.
  const v1::Job& CreateJob(const v1::JobSpec& spec, std::unique_ptr<Splitter> splitter,
                           absl::Time now, ChangeSet* changes);

  // --- Sequential sources (task_table_split.cc) ---
  // Adds the next tasks of a sequential job, written together with the source's new cursor.
  absl::Status AppendTasks(uint64_t job_seq, std::vector<NewTask> tasks, std::string cursor,
                           bool done, absl::Time now, ChangeSet* changes);
  // Ends a job FAILED because its source failed; what has not ended is cancelled.
  absl::Status FailJob(uint64_t job_seq, absl::string_view why, absl::Time now, ChangeSet* changes);
  std::vector<SplitWork> PendingSplits() const;
  // Ends the job CANCELLED; pending and running tasks become CANCELLED. No-op on an ended job.
  absl::StatusOr<const v1::Job*> CancelJob(absl::string_view job_id, absl::Time now,
                                           ChangeSet* changes);
  // Newest first, starting below `before_seq` (0: from the newest).
  std::vector<const v1::Job*> ListJobs(uint64_t before_seq, size_t limit) const;
  // Changes a running job's concurrency limit (0: none); it applies from the next lease on.
  absl::StatusOr<const v1::Job*> SetMaxConcurrency(absl::string_view job_id, uint32_t limit,
                                                   ChangeSet* changes);

  // --- Fan-in (task_table_fan_in.cc) ---
  // Ended jobs whose manifests are still to be written.
  std::vector<v1::Job> PendingFanIns() const;
  // Records what the fan-in of `job_id` wrote (or why it could not); refused if the job was
  // redriven (its redrive count is no longer `redrives`) since the job ended.
  absl::StatusOr<const v1::Job*> RecordFanIn(absl::string_view job_id, uint32_t redrives,
                                             v1::FanIn fan_in, ChangeSet* changes);

  // --- Redrive (task_table_redrive.cc) ---
  // Checks that `job_id` may be redriven: it exists and has ended, not by cancellation.
  absl::StatusOr<uint64_t> RedrivableJob(absl::string_view job_id) const;
  // Re-queues `records` (the job's stored tasks that ended DEAD or FAILED, or CANCELLED by a
  // failure threshold) and the tasks that threshold kept from ever materializing, each with a fresh
  // attempt budget. Returns how many tasks were re-queued.
  absl::StatusOr<uint64_t> Redrive(uint64_t job_seq, std::vector<v1::Task> records,
                                   bool from_scratch, absl::Time now, ChangeSet* changes);
  // Whether a stored task of an ended job is one that Redrive would re-queue.
  static bool Redrivable(const v1::Job& job, const v1::Task& task);

  // --- Recovery (task_table_recovery.cc): records as read back from disk ---
  // A job record (spec included) into memory, with its idempotency keys when `keys`: at start
  // for running jobs and those with a fan-in to write, and (without its keys) for an ended job
  // being redriven.
  void LoadJob(v1::Job job, bool keys = true);
  // A running job's task records, in index order. Indices skipped since the previous record were
  // never written, so they are pending: they are re-derived from the source. Leases keep their
  // expiry, extended to at least now + `lease_grace`: with a grace of at least the lease TTL that
  // covers every renewal granted before the restart (renewals are not written to disk).
  void LoadTask(v1::Task task, absl::Time now, absl::Duration lease_grace);
  // Once the coordinator serves (loading may have taken long): every lease found on disk lasts at
  // least until now + `lease_grace`, so that its worker, which could not renew while nothing
  // served, does not lose it at once.
  void GraceLoadedLeases(absl::Time now, absl::Duration lease_grace);
  // After loading: refills every running job's window; a job whose source no longer splits ends
  // FAILED (recorded in `changes`).
  void FinishLoading(absl::Time now, ChangeSet* changes);
  void set_next_job_seq(uint64_t seq) { next_job_seq_ = seq; }
  uint64_t next_job_seq() const { return next_job_seq_; }
  // A task of a running job that is materialized in memory; null otherwise.
  const v1::Task* LiveTask(uint64_t job_seq, uint64_t index) const {
    return LiveTask(TaskKey{job_seq, index});
  }
  // A task of `job` that was never written: pending while its job runs, else cancelled with it.
  // `splitter` is the job's (when null: a resident running job's own, else one made here).
  v1::Task UnwrittenTask(const v1::Job& job, uint64_t index, const Splitter* splitter) const;

  // --- Worker protocol (task_table_worker.cc) ---
  LeaseGrant Lease(absl::string_view worker_id, size_t max, absl::Duration ttl, absl::Time now,
                   ChangeSet* changes);
  // The leases among `refs` still held at those epochs, described as Lease() described them.
  LeaseGrant Regrant(const std::vector<v1::TaskRef>& refs) const;
  // Extends a lease in memory only (see LoadTask for why nothing is written), noting what the
  // worker said of its handler.
  v1::LeaseStatus Renew(const v1::TaskRef& ref, absl::Duration ttl, absl::Time now,
                        HandlerSaid said = HandlerSaid::kNothing);
  // Commits a checkpoint of a task leased at that epoch; also renews its lease.
  v1::LeaseStatus Checkpoint(const v1::CheckpointEntry& entry, absl::Duration ttl, absl::Time now,
                             ChangeSet* changes);
  ReportVerdict Report(const v1::TaskOutcome& outcome, absl::Time now, ChangeSet* changes);
  // Judges a report about a task that already ended, from its record.
  static ReportVerdict JudgeEnded(const v1::Task& record, uint64_t epoch);
  // Returns expired leases' tasks to PENDING (or DEAD when out of attempts).
  size_t ExpireLeases(absl::Time now, ChangeSet* changes);
  // --- Leaving memory (task_table_eviction.cc) ---
  // Whether `seq` is resident, ended, and has nothing left to do in memory (its fan-in written).
  bool Evictable(uint64_t seq) const;
  // Drops an ended job from memory (its records are on disk), keeping a small snapshot for the
  // gauges and for telling late workers that it was cancelled.
  void Evict(uint64_t seq);
  // How a job that left memory recently ended; nullopt if it did not (or not recently).
  std::optional<v1::JobState> RecentlyEnded(uint64_t seq) const;
  size_t resident_jobs() const { return jobs_.size(); }
  // The next time something becomes ready by itself (a backoff ends or a lease expires).
  std::optional<absl::Time> NextWakeup() const;
  size_t ready_count() const { return ready_.ready_count(); }

  // --- Metrics (task_table_gauges.cc) ---
  const TaskTotals& totals() const { return totals_; }
  // Running jobs, and jobs that ended within `ended_within` before `now` (at most
  // kGaugedEndedJobs: older ones are no longer watched).
  std::vector<JobGauge> Gauges(absl::Time now, absl::Duration ended_within);

  // --- For the store's persistence of a ChangeSet ---
  const v1::Job* JobBySeq(uint64_t seq) const;
  // Shows the job's record without its spec (which is stored once, apart), without copying it.
  void VisitJobWithoutSpec(uint64_t seq, absl::FunctionRef<void(const v1::Job&)> visit);
  const v1::Task* LiveTask(TaskKey key) const;
  void Retire(const ChangeSet& changes);

 private:
  struct JobEntry {
    v1::Job job;
    absl::node_hash_map<uint64_t, v1::Task> live;  // materialized tasks not yet ended, by index
    std::unique_ptr<Splitter> splitter;            // while the job runs
    uint64_t next_index = 0;                       // tasks below it have been materialized
    bool sequential = false;                       // tasks come through AppendTasks
    double partial = 0;                            // sum of the progress of unfinished tasks
  };

  JobEntry* FindEntry(absl::string_view job_id);
  v1::Task* FindLive(uint64_t seq, uint64_t index);
  // Moves `n` tasks between states in the job's counts and refreshes its progress.
  void Move(JobEntry& entry, v1::TaskState from, v1::TaskState to, uint64_t n = 1);
  static void RefreshProgress(JobEntry& entry);
  // Materializes tasks until the job has a window of ready ones (or none is left).
  void Refill(uint64_t seq, JobEntry& entry);
  void Materialize(uint64_t seq, JobEntry& entry, uint64_t index);
  void LeaseOne(JobEntry& entry, v1::Task& task, absl::string_view worker_id, absl::Duration ttl,
                absl::Time now);
  // Adds `task` to `grant`, and its job's context the first time the job appears.
  static void Describe(const JobEntry& entry, const v1::Task& task, LeaseGrant* grant,
                       absl::flat_hash_set<uint64_t>* described);
  // Adds the invocation `outcome` reports to its job's usage and its attempt's duration.
  void MeterInvocation(JobEntry& entry, v1::Task& task, const v1::TaskOutcome& outcome,
                       absl::Time now);
  // A lease that expires: one request for as long as its handler was seen running, if it was.
  void MeterExpired(JobEntry& entry, v1::Task& task, absl::Time now);
  // Ends the current attempt of a LEASED task and moves it to `to`.
  void EndAttempt(JobEntry& entry, v1::Task& task, v1::TaskState to, const v1::TaskError* error,
                  bool reported, absl::Time now);
  void FailAttempt(JobEntry& entry, v1::Task& task, const v1::TaskError& error, bool reported,
                   absl::Time now);
  void Continue(JobEntry& entry, v1::Task& task, absl::Time now);
  void Requeue(JobEntry& entry, v1::Task& task, absl::Time not_before, absl::Time now);
  void CancelLiveTasks(JobEntry& entry, absl::string_view reason, absl::Time now,
                       ChangeSet* changes);
  void FinishJob(JobEntry& entry, v1::JobState state, std::string message, absl::Time now);
  // Marks an ended job's fan-in as pending, if its spec asks for one.
  void StartFanIn(uint64_t seq, JobEntry& entry);
  // Ends the job when nothing is left to run, or when its failures exceed what it tolerates.
  void MaybeFinish(JobEntry& entry, absl::Time now, ChangeSet* changes);

  RetryPolicy policy_;
  std::map<uint64_t, JobEntry> jobs_;  // by seq; node-based so record pointers stay valid
  absl::flat_hash_map<std::string, uint64_t> idempotency_;
  ReadyIndex ready_;
  LeaseHeap leases_;
  uint64_t next_job_seq_ = 1;
  TaskTotals totals_;
  // Jobs evicted within kGaugedEndedJobs (at most kRecentlyEnded of them), newest last: what the
  // gauges show of ended jobs, and what a late renewal of a cancelled job's lease is told.
  struct Ended {
    uint64_t seq;
    absl::Time at;
    JobGauge gauge;
  };
  std::deque<Ended> recently_ended_;
  absl::flat_hash_map<uint64_t, v1::JobState> recently_ended_state_;
  std::vector<TaskKey> loaded_leases_;            // leases found on disk, until GraceLoadedLeases
  absl::flat_hash_set<uint64_t> fan_in_pending_;  // ended jobs whose manifests are unwritten
};

// Whether a job's spec asks for manifests or a reduce when it ends.
bool NeedsFanIn(const v1::JobSpec& spec);

}  // namespace fanout::coordinator

#endif  // FANOUT_COORDINATOR_TASK_TABLE_H_
