// JobManager: the coordinator's domain object behind both gRPC services. It validates and splits
// submissions, answers queries, and runs the worker protocol on top of a JobStore: lease calls wait
// (long-poll) until work is ready, and a background thread expires leases and wakes waiting workers
// when backoffs end. The gRPC services only translate to and from it.
#ifndef FANOUT_COORDINATOR_JOB_MANAGER_H_
#define FANOUT_COORDINATOR_JOB_MANAGER_H_

#include <deque>
#include <functional>
#include <string>
#include <thread>

#include "absl/container/flat_hash_map.h"
#include "absl/functional/any_invocable.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "common/clock.h"
#include "common/file_roots.h"
#include "common/limits.h"
#include "coordinator/job_store.h"
#include "coordinator/lease_tokens.h"
#include "coordinator/worker_registry.h"
#include "proto/job_service.pb.h"
#include "proto/worker_service.pb.h"

namespace fanout::coordinator {

class CoordinatorMetrics;

inline constexpr absl::Duration kDefaultTimeout = absl::Seconds(300);
inline constexpr size_t kSummarySourceBytes = 256;

// Cuts an inline source longer than kSummarySourceBytes, marking the cut.
void SummarizeSource(v1::Job* job);

// Thread-safe. Owned by the process wiring (CoordinatorServer); `store` and `clock` outlive it.
class JobManager {
 public:
  struct Options {
    absl::Duration lease_ttl = absl::Seconds(10);
    absl::Duration max_lease_wait = absl::Seconds(20);  // longest a lease call is held open
    uint32_t max_tasks_per_lease = 1000;
    absl::Duration tick = absl::Milliseconds(50);  // how often expiry and backoffs are checked
    // Per-invocation time limit of a function when its job sets none ("builtin:count" -> 2s);
    // functions not listed get kDefaultTimeout.
    absl::flat_hash_map<std::string, absl::Duration> function_timeouts;
    // How long ended jobs, and their keys, are kept.
    RetentionPolicy retention;
    absl::Duration retention_every = absl::Minutes(1);
    // An item of a job's source may be this big (as JSON); a bigger one fails (an inline list's
    // at submit, a manifest line's as its own task).
    size_t max_item_bytes = kDefaultMaxItemBytes;
    // Where file sources and jsonl: results may be (none: no local files).
    FileRoots file_roots;
    // The results of one task together may be this big; bigger ones fail the task (fatal). Told to
    // workers with each lease, which check it before sending.
    size_t max_result_bytes = kDefaultMaxResultBytes;
    // Where checkpoint latencies and stale-epoch refusals are counted; none when null.
    CoordinatorMetrics* metrics = nullptr;
    // Pins a job that names a user's function (NAME or NAME:VERSION) to the version it runs:
    // rewrites its function to NAME:VERSION and fills in the time limit and memory it left
    // unset. Null: only built-ins can be submitted.
    std::function<absl::Status(v1::JobSpec& spec)> pin_function;
    // Signs and checks the lease tokens of grants (null: a random key, for tests).
    std::shared_ptr<const LeaseTokens> lease_tokens;
  };

  JobManager(JobStore& store, Clock& clock, Options options);
  ~JobManager();
  // Answers every waiting lease call (with no tasks) and stops the background thread.
  void Shutdown();
  // New tasks are there to lease (from the SplitRunner): wake the workers waiting for some.
  void TasksArrived() { Notify(); }
  // Called (on the caller's thread, cheaply) whenever jobs may have changed. Set before serving.
  void set_change_listener(std::function<void()> listener) {
    change_listener_ = std::move(listener);
  }

  // --- JobService ---
  absl::StatusOr<SubmitOutcome> SubmitJob(v1::JobSpec spec);
  // SubmitJob for each spec, the accepted ones made durable together: one answer each, in order.
  std::vector<absl::StatusOr<SubmitOutcome>> SubmitJobs(std::vector<v1::JobSpec> specs);
  absl::StatusOr<v1::Job> GetJob(absl::string_view job_id);
  // GetJob with an inline source longer than kSummarySourceBytes cut short: what listings and watch
  // streams carry, so that a job of a ten-megabyte inline list does not send ten megabytes with
  // every progress update.
  absl::StatusOr<v1::Job> GetJobSummary(absl::string_view job_id);
  absl::StatusOr<v1::Job> CancelJob(absl::string_view job_id);
  absl::StatusOr<v1::ListJobsResponse> ListJobs(const v1::ListJobsRequest& request);
  absl::StatusOr<v1::ListTasksResponse> ListTasks(const v1::ListTasksRequest& request);
  absl::StatusOr<v1::GetResultsResponse> GetResults(const v1::GetResultsRequest& request);
  v1::ListWorkersResponse ListWorkers();
  absl::Duration lease_ttl() const { return options_.lease_ttl; }
  // Running jobs and those that ended within `ended_within`, cheaply (see JobStore::Gauges).
  std::vector<JobGauge> JobGauges(absl::Duration ended_within) {
    return store_.Gauges(ended_within);
  }
  absl::StatusOr<v1::RedriveJobResponse> RedriveJob(const v1::RedriveJobRequest& request);
  absl::StatusOr<v1::Job> UpdateJob(const v1::UpdateJobRequest& request);

  // --- WorkerService ---
  using LeaseDone = absl::AnyInvocable<void(absl::StatusOr<v1::LeaseTasksResponse>) &&>;
  // Calls `done` at once when tasks are ready (or `wait` is zero), else when some become ready or
  // `wait` runs out; possibly on another thread. `gone` tells whether the caller hung up while
  // waiting: its call then gets no tasks (they would be leased to nobody).
  void LeaseTasks(const v1::LeaseTasksRequest& request, LeaseDone done,
                  std::function<bool()> gone = nullptr);
  absl::StatusOr<v1::RenewLeasesResponse> RenewLeases(const v1::RenewLeasesRequest& request);
  absl::StatusOr<v1::ReportResultsResponse> ReportResults(const v1::ReportResultsRequest& request);
  absl::StatusOr<v1::CheckpointResponse> Checkpoint(const v1::CheckpointRequest& request);

 private:
  // Sets the job's TaskCounts.handlers_running from what its workers last said.
  void FillHandlersRunning(v1::Job* job);
  struct Waiter {
    v1::LeaseTasksRequest request;
    absl::Time deadline;
    LeaseDone done;
    std::function<bool()> gone;
  };

  // What SubmitJob checks and normalizes before the store takes a spec; the splitter of a
  // random-access source (null for a sequential one, which the SplitRunner reads).
  absl::StatusOr<SubmitRequest> PrepareSubmit(v1::JobSpec spec);
  absl::StatusOr<v1::LeaseTasksResponse> TryLease(const v1::LeaseTasksRequest& request);
  void CountForged(size_t refused);
  // Answers (with nothing) the parked lease calls of a worker that is leaving.
  void AnswerWaitersOf(const std::string& worker_id);
  void Notify();
  void Changed() {
    if (change_listener_) change_listener_();
  }
  void Run();
  void ServeWaiters();
  void RunRetention();

  // Constant after construction.
  JobStore& store_;
  Clock& clock_;
  const Options options_;
  const std::shared_ptr<const LeaseTokens> lease_tokens_;
  WorkerRegistry workers_;
  std::function<void()> change_listener_;

  absl::Mutex mu_;
  // Guarded by mu_.
  std::deque<Waiter> waiters_ ABSL_GUARDED_BY(mu_);
  // Per worker: its last lease call's request id and the leases it granted, handed out again when
  // the call is retried.
  absl::flat_hash_map<std::string, std::pair<std::string, std::vector<v1::TaskRef>>> last_grant_
      ABSL_GUARDED_BY(mu_);
  bool notified_ ABSL_GUARDED_BY(mu_) = false;
  bool stop_ ABSL_GUARDED_BY(mu_) = false;

  std::thread thread_;
  std::thread retention_thread_;
};

}  // namespace fanout::coordinator

#endif  // FANOUT_COORDINATOR_JOB_MANAGER_H_
