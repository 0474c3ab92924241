// The worker process's engine. Stateless: it leases tasks in batches from the coordinator
// (long-poll), runs them on `slots` threads, reports outcomes in batches, commits checkpoints in
// batches and renews its leases from its own thread. It enforces each invocation's time limit: the
// handler is asked to stop (its context says so), and one that does not return within
// `abandon_grace` is abandoned — its task continues elsewhere from its last checkpoint and a fresh
// thread takes its slot. It may be killed at any moment; a clean Stop() releases the tasks it has
// not started, finishes the ones it runs and reports everything.
#ifndef FANOUT_WORKER_WORKER_H_
#define FANOUT_WORKER_WORKER_H_

#include <atomic>
#include <deque>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"
#include "common/clock.h"
#include "common/coordinator_channel.h"
#include "grpcpp/grpcpp.h"
#include "proto/worker_service.grpc.pb.h"
#include "worker/checkpoint_batcher.h"
#include "worker/handler_registry.h"
#include "worker/history.h"
#include "worker/lease_book.h"
#include "worker/lease_renewer.h"
#include "worker/result_reporter.h"
#include "worker/run_pace.h"
#include "worker/task_runner.h"
#include "worker/worker_metrics.h"

namespace fanout::worker {

// Thread-safe. Owned by main / `fanout dev`. Destroy it only after Stop() returned: a thread left
// stuck in an abandoned handler may still refer to it until the process exits.
class Worker {
 public:
  struct Options {
    std::string coordinator = "127.0.0.1:7070";
    ClientSecurity security;  // TLS and the token
    int slots = 4;
    std::string worker_id;  // empty: host-pid-random
    // Tasks leased ahead of free slots, at most; the worker aims for ~50 ms of queued work.
    size_t max_prefetch = 1000;
    // Outcomes waiting for the coordinator's answer, at most, before leasing pauses: when the
    // coordinator acknowledges more slowly than the slots finish, leasing more would only grow
    // what both sides hold (leases in memory, outcomes queued) without finishing sooner.
    size_t max_unreported = 2048;
    absl::Duration lease_wait = absl::Seconds(5);
    absl::Duration drain_timeout = absl::Seconds(30);
    // How long a handler may run past its time limit before it is abandoned.
    absl::Duration abandon_grace = absl::Seconds(2);
    ResultReporter::Options reporter;
    CheckpointBatcher::Options checkpoints;
    // Where invocations are counted and timed; none when null. Outlives the Worker.
    WorkerMetrics* metrics = nullptr;
    // Where every answer of the coordinator is recorded, for history checkers; none when null.
    // Outlives the Worker.
    History* history = nullptr;
  };

  Worker(Options options, std::unique_ptr<HandlerRegistry> handlers, Clock& clock);
  ~Worker();

  void Start();
  // Stops leasing, releases queued tasks, lets running ones finish (cancelling them after
  // drain_timeout, abandoning them after abandon_grace more) and reports every outcome. Idempotent.
  void Stop();

  const std::string& id() const { return options_.worker_id; }
  // Handlers given up on; their threads may still run (and refer to this Worker) until the
  // process exits, so a Worker that abandoned any must not be destroyed.
  int abandoned() const { return abandoned_.load(); }
  uint64_t reported() const { return reporter_->reported(); }
  int busy() const { return busy_.load(); }

 private:
  struct Queued {
    v1::LeasedTask task;
    LeaseHandle lease;
    std::shared_ptr<const JobInfo> job;
    // Its job's function; "" when the grant did not describe the job.
    const std::string& function() const {
      static const std::string kNone;
      return job ? job->function : kNone;
    }
  };
  // An invocation in progress, for the watchdog.
  struct Running {
    v1::TaskRef ref;
    std::string function;
    absl::Time deadline;
    std::shared_ptr<std::atomic<bool>> abandoned;
  };

  // The first call of a stopping worker: it leaves the coordinator's totals at once.
  void SayGoodbye();
  void LeaseLoop();
  void LeaseLoopUntilStopped();
  // Hands every queued (unstarted) task back to the coordinator.
  void ReleaseQueuedLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  bool LeaseOnce(std::string& request_id);
  void Accept(v1::LeaseTasksResponse& response);
  void StartSlot() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void SlotLoop(int slot);
  // Returns false when the invocation was abandoned: the thread must then leave without a trace.
  bool Run(int slot, Queued& queued);
  v1::TaskOutcome Execute(const Queued& queued);
  void WatchdogLoop();
  // Gives up on the invocation in `slot`: its task continues elsewhere; a new thread takes the
  // slot.
  void Abandon(int slot, Running& running) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Tasks to hold queued beyond the slots for tasks that take `seconds` (negative: not known).
  size_t PrefetchFor(double seconds) const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  size_t WantLocked() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // How many tasks of `function` may wait queued, by its own pace (at least the slots).
  size_t QueueableLocked(const std::string& function) const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Releases queued tasks beyond what their function's pace allows; `arrived`: the functions of
  // the grant just accepted.
  void ReleaseExcessLocked(const std::vector<std::string>& arrived)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void Describe(v1::WorkerInfo* info) const;

  // Constant after construction.
  Options options_;
  const std::unique_ptr<HandlerRegistry> handlers_;
  Clock& clock_;
  const absl::Time started_at_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<v1::WorkerService::Stub> stub_;

  LeaseBook book_;
  std::unique_ptr<ResultReporter> reporter_;
  std::unique_ptr<LeaseRenewer> renewer_;
  std::unique_ptr<CheckpointBatcher> checkpoints_;
  std::atomic<int> busy_{0};
  // Set by WantLocked while leasing waits for outcomes to be answered (see the reporter callback).
  mutable std::atomic<bool> waiting_for_reports_{false};
  std::atomic<int> abandoned_{0};
  const std::shared_ptr<std::atomic<bool>> stop_now_ = std::make_shared<std::atomic<bool>>(false);

  mutable absl::Mutex mu_;
  // Guarded by mu_.
  std::deque<Queued> queue_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_map<std::string, std::shared_ptr<const JobInfo>> jobs_ ABSL_GUARDED_BY(mu_);
  int running_ ABSL_GUARDED_BY(mu_) = 0;
  absl::flat_hash_map<int, Running> invocations_ ABSL_GUARDED_BY(mu_);  // by slot
  std::map<int, std::thread> slots_ ABSL_GUARDED_BY(mu_);
  int next_slot_ ABSL_GUARDED_BY(mu_) = 0;
  RunPace pace_ ABSL_GUARDED_BY(mu_);
  // Seconds a lease call that brought tasks took (an average); negative before the first.
  double lease_rtt_ ABSL_GUARDED_BY(mu_) = -1;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;  // no more leasing
  std::atomic<bool> leaving_{false};  // Stop() began: every call says so (WorkerInfo.leaving)
  bool draining_ ABSL_GUARDED_BY(mu_) = false;  // release what is queued, then exit slots
  bool watchdog_stop_ ABSL_GUARDED_BY(mu_) = false;
  bool stopped_ ABSL_GUARDED_BY(mu_) = false;
  bool leaser_done_ ABSL_GUARDED_BY(mu_) = false;
  grpc::ClientContext* active_lease_ ABSL_GUARDED_BY(mu_) = nullptr;

  std::thread leaser_;
  std::thread watchdog_;
};

}  // namespace fanout::worker

#endif  // FANOUT_WORKER_WORKER_H_
