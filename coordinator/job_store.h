// JobStore: the coordinator's durable state of jobs and tasks, spoken in domain transitions. A verb
// returns only once its transition is on disk (for durable implementations), so whatever the caller
// then acknowledges survives a crash.
#ifndef FANOUT_COORDINATOR_JOB_STORE_H_
#define FANOUT_COORDINATOR_JOB_STORE_H_

#include <initializer_list>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "coordinator/task_table.h"
#include "proto/fanout.pb.h"
#include "proto/worker_service.pb.h"

namespace fanout::coordinator {

struct RedriveOutcome {
  v1::Job job;
  uint64_t redriven = 0;
};

// How long what ended is kept. Keys are never kept longer than their job.
struct RetentionPolicy {
  // An ended job's idempotency (and item) keys keep answering resubmissions with it this long.
  absl::Duration idempotency = absl::Hours(24 * 7);
  // An ended job — record, spec, tasks, results — is deleted this long after it ended (manifests
  // written elsewhere stay).
  absl::Duration jobs = absl::Hours(24 * 7);
};

struct RetentionDone {
  size_t keys_forgotten = 0;  // jobs whose keys were forgotten
  size_t jobs_deleted = 0;
  bool more = false;  // the call stopped at its budget: call again
};

struct SubmitRequest {
  v1::JobSpec spec;
  std::unique_ptr<Splitter> splitter;
};

struct SubmitOutcome {
  v1::Job job;
  bool created = false;    // false: the idempotency key named an existing job
  size_t known_items = 0;  // items left out: their item_keys made a job before
};

// Thread-safe. Owned by whoever wires the coordinator (main, `fanout dev`, tests).
class JobStore {
 public:
  virtual ~JobStore() = default;

  // Creates a job of the tasks `splitter` yields (made from spec.source). A repeated idempotency
  // key returns the job it created (FAILED_PRECONDITION if the spec differs).
  virtual absl::StatusOr<SubmitOutcome> SubmitJob(const v1::JobSpec& spec,
                                                  std::unique_ptr<Splitter> splitter) = 0;
  // SubmitJob for each, in order, made durable together: one answer each. A later request sees
  // the keys of the earlier ones (a key twice makes one job).
  virtual std::vector<absl::StatusOr<SubmitOutcome>> SubmitJobs(
      std::vector<SubmitRequest> requests) = 0;
  // Leases up to `max` ready tasks for `ttl`, each under a new fencing epoch.
  virtual absl::StatusOr<LeaseGrant> LeaseTasks(absl::string_view worker_id, size_t max,
                                                absl::Duration ttl) = 0;
  // The leases among `refs` still held at those epochs, as LeaseTasks described them: for a worker
  // retrying a lease call whose answer it never received.
  virtual absl::StatusOr<LeaseGrant> Regrant(const std::vector<v1::TaskRef>& refs) = 0;
  // Commits checkpoints (and renews their leases), fenced by epoch: one status per entry.
  virtual absl::StatusOr<std::vector<v1::LeaseStatus>> Checkpoint(
      const google::protobuf::RepeatedPtrField<v1::CheckpointEntry>& entries,
      absl::Duration ttl) = 0;
  // One status per ref: extended, lost (stale epoch or expired) or cancelled. `said` is empty or
  // aligned with `refs`: what the worker said of each lease's handler (for metering).
  virtual absl::StatusOr<std::vector<v1::LeaseStatus>> RenewLeases(
      const google::protobuf::RepeatedPtrField<v1::TaskRef>& refs, absl::Duration ttl,
      const std::vector<HandlerSaid>& said) = 0;
  // Commits results and failures, fenced by epoch: one verdict per outcome.
  virtual absl::StatusOr<std::vector<ReportVerdict>> ReportOutcomes(
      const google::protobuf::RepeatedPtrField<v1::TaskOutcome>& outcomes) = 0;
  // Returns tasks whose lease expired to PENDING (or DEAD). Returns how many.
  virtual absl::StatusOr<size_t> ExpireLeases() = 0;
  // Forgets the keys, and deletes the records, of jobs that ended longer ago than `policy` keeps
  // them. Does a bounded amount of work per call (RetentionDone::more says when there is more).
  virtual absl::StatusOr<RetentionDone> ApplyRetention(const RetentionPolicy& policy) = 0;
  // Conveniences for callers holding a few refs or outcomes (tests, mostly).
  absl::StatusOr<std::vector<v1::LeaseStatus>> RenewLeases(std::initializer_list<v1::TaskRef> refs,
                                                           absl::Duration ttl) {
    return RenewLeases(google::protobuf::RepeatedPtrField<v1::TaskRef>(refs.begin(), refs.end()),
                       ttl, {});
  }
  absl::StatusOr<std::vector<ReportVerdict>> ReportOutcomes(
      std::initializer_list<v1::TaskOutcome> outcomes) {
    return ReportOutcomes(
        google::protobuf::RepeatedPtrField<v1::TaskOutcome>(outcomes.begin(), outcomes.end()));
  }
  virtual absl::StatusOr<v1::Job> CancelJob(absl::string_view job_id) = 0;
  // See TaskTable::SetMaxConcurrency.
  virtual absl::StatusOr<v1::Job> SetMaxConcurrency(absl::string_view job_id, uint32_t limit) = 0;
  // See TaskTable::Redrive.
  virtual absl::StatusOr<RedriveOutcome> RedriveJob(absl::string_view job_id,
                                                    bool from_scratch) = 0;

  virtual absl::StatusOr<v1::Job> GetJob(absl::string_view job_id) = 0;
  // Newest first, from below `before_seq` (0: the newest).
  virtual std::vector<v1::Job> ListJobs(uint64_t before_seq, size_t limit) = 0;
  // Tasks of a job by index, from `start_index`: min(limit, tasks left) of them, written or not.
  virtual absl::StatusOr<std::vector<v1::Task>> ListTasks(absl::string_view job_id,
                                                          uint64_t start_index, size_t limit) = 0;
  // --- Sequential sources, read by the SplitRunner ---
  // The next tasks of a sequential job, durably and together with the source's new cursor.
  virtual absl::Status AppendTasks(uint64_t job_seq, std::vector<NewTask> tasks, std::string cursor,
                                   bool done) = 0;
  // Ends a job FAILED because its source failed.
  virtual absl::Status FailJob(uint64_t job_seq, absl::string_view why) = 0;
  virtual std::vector<SplitWork> PendingSplits() = 0;
  // See TaskTable::PendingFanIns and TaskTable::RecordFanIn.
  virtual std::vector<v1::Job> PendingFanIns() = 0;
  virtual absl::StatusOr<v1::Job> RecordFanIn(absl::string_view job_id, uint32_t redrives,
                                              v1::FanIn fan_in) = 0;

  // --- Metrics ---
  virtual TaskTotals Totals() = 0;
  // Running jobs and those that ended within `ended_within`.
  virtual std::vector<JobGauge> Gauges(absl::Duration ended_within) = 0;

  // The coordinator serves from now on: leases found on disk when the store opened count their
  // grace from here, not from when loading began (see TaskTable::GraceLoadedLeases).
  virtual void StartServing() {}

  // When a backoff ends or a lease expires next, if ever.
  virtual std::optional<absl::Time> NextWakeup() = 0;
  // Not OK once a write failed: the store then refuses work until the process restarts.
  virtual absl::Status health() = 0;
};

}  // namespace fanout::coordinator

#endif  // FANOUT_COORDINATOR_JOB_STORE_H_
