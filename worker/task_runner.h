// Runs one leased task: its items through the handler, in order, stopping at the first error (the
// task is the unit of retry). Checkpoints are kept per task as a TaskCheckpoint — the item reached,
// the results of the items before it, the handler's cursor within it — so a batch resumes where it
// stopped. At the time limit the task becomes a continuation; the outcome says which.
#ifndef FANOUT_WORKER_TASK_RUNNER_H_
#define FANOUT_WORKER_TASK_RUNNER_H_

#include <functional>

#include "common/clock.h"
#include "common/limits.h"
#include "nlohmann/json.hpp"
#include "proto/worker_service.pb.h"
#include "worker/handler.h"
#include "worker/lease_book.h"

namespace fanout::worker {

// What a worker knows about a job, from the JobContext of its lease responses.
struct JobInfo {
  std::string job_id;
  std::string function;
  nlohmann::json params;
  absl::Duration timeout;
  // The results of one task together may be this big (the coordinator's --max_result_bytes).
  size_t max_result_bytes = kDefaultMaxResultBytes;
};

// What the runner needs from its worker besides the task.
struct RunEnvironment {
  const Clock& clock;
  CancelFlag cancelled;  // raised when the lease is lost or the job cancelled
  // Raised when the worker must stop now: handled like the time limit (checkpoint, continue).
  std::shared_ptr<const std::atomic<bool>> stop_now;
  // Commits a task checkpoint (the cursor is a serialized TaskCheckpoint).
  std::function<absl::StatusOr<v1::LeaseStatus>(absl::string_view cursor, double progress,
                                                absl::Time deadline)>
      commit;
};

v1::TaskOutcome RunTask(const v1::LeasedTask& task, const JobInfo& job, Handler& handler,
                        const RunEnvironment& env);

}  // namespace fanout::worker

#endif  // FANOUT_WORKER_TASK_RUNNER_H_
