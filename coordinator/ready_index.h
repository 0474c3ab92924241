// Which tasks can be leased next. Per job, a FIFO of ready task indices; across jobs, higher
// priority first, then the job served least recently (round robin at lease-batch granularity).
// Tasks waiting out a retry backoff sit in a heap until they are due. Rebuilt from RocksDB at
// start; never persisted.
#ifndef FANOUT_COORDINATOR_READY_INDEX_H_
#define FANOUT_COORDINATOR_READY_INDEX_H_

#include <cstdint>
#include <deque>
#include <functional>
#include <optional>
#include <queue>
#include <set>
#include <tuple>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/functional/function_ref.h"
#include "absl/time/time.h"
#include "coordinator/task_key.h"

namespace fanout::coordinator {

// Thread-compatible (the owning store serializes access). Owned by TaskTable.
class ReadyIndex {
 public:
  // A job must be added before its tasks are pushed; removing it drops its queued and delayed
  // tasks.
  void AddJob(uint64_t job_seq, int priority);
  void RemoveJob(uint64_t job_seq);

  void PushReady(TaskKey key);
  void PushDelayed(TaskKey key, absl::Time due);
  // Moves every delayed task due at `now` into its job's ready queue.
  void PromoteDue(absl::Time now);

  // Pops up to `max` ready tasks in serving order; `allowance(job_seq)` caps how many one job may
  // give (its concurrency limit), and the first task `fits` turns down ends the batch (a byte
  // budget). Costs the jobs served (and skipped at their limit), not every job with ready tasks.
  std::vector<TaskKey> Take(size_t max, absl::FunctionRef<size_t(uint64_t)> allowance,
                            absl::FunctionRef<bool(TaskKey)> fits);

  size_t ready_count() const { return ready_count_; }
  size_t ReadyCount(uint64_t job_seq) const {
    auto it = jobs_.find(job_seq);
    return it == jobs_.end() ? 0 : it->second.ready.size();
  }
  std::optional<absl::Time> NextDue() const;

 private:
  struct JobQueue {
    int priority = 0;
    uint64_t served = 0;  // value of serve_clock_ when last served
    std::deque<uint64_t> ready;
  };
  // Order of jobs that have ready tasks: (-priority, served, job_seq).
  using OrderKey = std::tuple<int, uint64_t, uint64_t>;
  static OrderKey KeyOf(uint64_t seq, const JobQueue& q) { return {-q.priority, q.served, seq}; }
  struct Delayed {
    absl::Time due;
    TaskKey key;
    bool operator>(const Delayed& o) const { return due > o.due; }
  };

  absl::flat_hash_map<uint64_t, JobQueue> jobs_;
  std::set<OrderKey> order_;
  std::priority_queue<Delayed, std::vector<Delayed>, std::greater<Delayed>> delayed_;
  uint64_t serve_clock_ = 0;
  size_t ready_count_ = 0;
};

}  // namespace fanout::coordinator

#endif  // FANOUT_COORDINATOR_READY_INDEX_H_
