// Runs one leased task: each of its items through the handler, in order, stopping at the first
// error (the task is the unit of retry). Produces the outcome to report.
#ifndef FANOUT_WORKER_TASK_RUNNER_H_
#define FANOUT_WORKER_TASK_RUNNER_H_

#include "common/clock.h"
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
};

v1::TaskOutcome RunTask(const v1::LeasedTask& task, const JobInfo& job, Handler& handler,
                        const Clock& clock, CancelFlag cancelled);

}  // namespace fanout::worker

#endif  // FANOUT_WORKER_TASK_RUNNER_H_
