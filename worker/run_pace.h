// How long a worker's invocations take, per function, for deciding how far ahead to lease. One
// average over everything would let a burst of instant tasks (a trigger's noop jobs) make a worker
// prefetch hundreds of three-second tasks that its slots then run one by one while other workers
// idle; the slowest function seen recently bounds the lease-ahead instead.
#ifndef FANOUT_WORKER_RUN_PACE_H_
#define FANOUT_WORKER_RUN_PACE_H_

#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/time/time.h"

namespace fanout::worker {

// Thread-compatible (the worker holds its lock).
class RunPace {
 public:
  // A function not run for this long no longer counts.
  static constexpr absl::Duration kForgetAfter = absl::Seconds(30);

  // A task of `function` was leased (until one has run, its pace is unknown, and may be slow);
  // Drop() when it leaves the worker (run, released, dropped, abandoned). A function with tasks
  // in hand is never forgotten, however long they run.
  void Hold(const std::string& function, absl::Time now);
  void Drop(const std::string& function);
  void Record(const std::string& function, double seconds, absl::Time now);
  // The largest per-function average (an EWMA) among functions in hand or run within
  // kForgetAfter; infinite while one of them has not run yet; negative when there is none.
  double SlowestSeconds(absl::Time now) const;
  // The function's average; negative when it has not run (within kForgetAfter).
  double Seconds(const std::string& function, absl::Time now) const;

 private:
  struct Pace {
    double seconds = -1;  // negative until one has run
    absl::Time last;
    size_t held = 0;  // tasks in hand
    bool Forgotten(absl::Time now) const { return held == 0 && now - last > kForgetAfter; }
  };
  absl::flat_hash_map<std::string, Pace> by_function_;
  absl::Time pruned_ = absl::InfinitePast();
};

}  // namespace fanout::worker

#endif  // FANOUT_WORKER_RUN_PACE_H_
