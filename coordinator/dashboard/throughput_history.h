// How fast each job has been finishing tasks: samples of its finished-task count taken every few
// seconds, for the dashboard's rate, ETA and throughput chart. Memory only (a restart starts the
// chart afresh); a bounded number of samples per job, and jobs that ended long ago are dropped.
#ifndef FANOUT_COORDINATOR_DASHBOARD_THROUGHPUT_HISTORY_H_
#define FANOUT_COORDINATOR_DASHBOARD_THROUGHPUT_HISTORY_H_

#include <deque>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "common/task_counts.h"
#include "coordinator/task_table.h"
#include "proto/fanout.pb.h"

namespace fanout::coordinator {

struct ThroughputSample {
  absl::Time at;
  uint64_t finished = 0;  // succeeded + failed + dead: a cancelled task did no work
  double rate = 0;        // tasks/s since the previous sample
};

// Thread-safe.
class ThroughputHistory {
 public:
  explicit ThroughputHistory(size_t max_samples = 1800) : max_samples_(max_samples) {}

  // Records `jobs` (running ones, and ones that just ended) as of `now`; forgets jobs not seen
  // for `forget_after`.
  void Sample(const std::vector<JobGauge>& jobs, absl::Time now,
              absl::Duration forget_after = absl::Minutes(30));
  // Tasks finished per second over about the last `window`, from the samples; 0 without two.
  double Rate(const std::string& job_id, absl::Duration window = absl::Seconds(30));
  std::vector<ThroughputSample> Series(const std::string& job_id);

 private:
  struct Track {
    std::deque<ThroughputSample> samples;
    absl::Time last_seen;
  };

  const size_t max_samples_;
  absl::Mutex mu_;
  absl::flat_hash_map<std::string, Track> tracks_ ABSL_GUARDED_BY(mu_);
};

}  // namespace fanout::coordinator

#endif  // FANOUT_COORDINATOR_DASHBOARD_THROUGHPUT_HISTORY_H_
