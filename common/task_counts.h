// How a job's task counts read, the same in the CLI and the dashboard: work that finished (a
// cancelled task did nothing), tasks that ended in any state, and the share of the job done.
#ifndef FANOUT_COMMON_TASK_COUNTS_H_
#define FANOUT_COMMON_TASK_COUNTS_H_

#include <cstdint>

#include "proto/fanout.pb.h"

namespace fanout {

// Tasks that ran to an end: succeeded, failed or dead. What progress and rates count.
inline uint64_t FinishedTasks(const v1::TaskCounts& c) {
  return c.succeeded() + c.failed() + c.dead();
}

// Tasks that ended in any state, the cancelled ones included: what is no longer left to do.
inline uint64_t EndedTasks(const v1::TaskCounts& c) { return FinishedTasks(c) + c.cancelled(); }

// The share of the job's work done: its progress (with running tasks' checkpoints), or, once
// tasks were cancelled, only what finished.
inline double DoneFraction(const v1::Job& job) {
  const v1::TaskCounts& c = job.counts();
  if (c.cancelled() == 0 || c.total() == 0) return job.progress();
  return static_cast<double>(FinishedTasks(c)) / c.total();
}

}  // namespace fanout

#endif  // FANOUT_COMMON_TASK_COUNTS_H_
