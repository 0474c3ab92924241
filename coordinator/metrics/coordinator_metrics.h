// The coordinator's Prometheus metrics, all in one place and built from an injected registry.
// Event-time figures (RPC, checkpoint and disk-write latencies) are observed as they happen; the
// rest is copied from the store at each scrape (Refresh), so that the hot path only counts in the
// TaskTable it already holds locked.
#ifndef FANOUT_COORDINATOR_METRICS_COORDINATOR_METRICS_H_
#define FANOUT_COORDINATOR_METRICS_COORDINATOR_METRICS_H_

#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "coordinator/task_table.h"
#include "prometheus/counter.h"
#include "prometheus/gauge.h"
#include "prometheus/histogram.h"
#include "prometheus/registry.h"
#include "proto/job_service.pb.h"

namespace fanout::coordinator {

// How long an ended job keeps its per-job series, so that a scrape sees its final counts.
inline constexpr absl::Duration kEndedJobSeries = absl::Minutes(10);

// Thread-safe. `registry` must outlive it.
class CoordinatorMetrics {
 public:
  explicit CoordinatorMetrics(prometheus::Registry& registry);

  // --- As it happens ---
  // One Checkpoint call: entries committed, refused as stale, and the durable round trip.
  void CheckpointCall(size_t committed, size_t stale, absl::Duration took);
  void ReportsRefused(size_t stale);
  // Renewals, checkpoints and reports whose lease token was missing or wrong (forged or from
  // another worker).
  void LeaseTokensRefused(size_t refused);
  void DiskWrite(uint64_t batches, absl::Duration took);
  void Rpc(absl::string_view method, absl::Duration took);

  // --- At each scrape ---
  // `workers_alive_within`: a worker heard from within it counts as alive (the lease TTL).
  void Refresh(const TaskTotals& totals, const std::vector<JobGauge>& jobs,
               const std::vector<v1::WorkerStatus>& workers, absl::Time now,
               absl::Duration workers_alive_within);

 private:
  struct JobSeries {
    std::vector<prometheus::Gauge*> by_state;  // kStates order
    prometheus::Gauge* backlog = nullptr;
    prometheus::Gauge* oldest_pending = nullptr;
  };

  void RefreshTotals(const TaskTotals& totals) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void RefreshJobs(const std::vector<JobGauge>& jobs, absl::Time now)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void RefreshWorkers(const std::vector<v1::WorkerStatus>& workers, absl::Time now,
                      absl::Duration alive_within) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  JobSeries& SeriesFor(const JobGauge& job) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  // Copied from TaskTotals at each scrape.
  prometheus::Counter& jobs_submitted_;
  prometheus::Counter& dispatched_;
  prometheus::Counter& succeeded_;
  prometheus::Counter& failed_;
  prometheus::Counter& dead_;
  prometheus::Counter& cancelled_;
  prometheus::Counter& continued_;
  prometheus::Counter& retried_;
  prometheus::Counter& lease_expiries_;
  prometheus::Counter& invocations_;
  prometheus::Counter& gb_seconds_;
  // Observed as they happen.
  prometheus::Counter& stale_refusals_;
  prometheus::Counter& token_refusals_;
  prometheus::Counter& checkpoint_commits_;
  prometheus::Histogram& checkpoint_seconds_;
  prometheus::Histogram& commit_batches_;
  prometheus::Histogram& sync_seconds_;
  prometheus::Family<prometheus::Histogram>& rpc_seconds_;
  // Per job and per worker, at each scrape.
  prometheus::Family<prometheus::Gauge>& tasks_;
  prometheus::Family<prometheus::Gauge>& backlog_;
  prometheus::Family<prometheus::Gauge>& oldest_pending_;
  prometheus::Family<prometheus::Gauge>& jobs_;
  prometheus::Gauge& workers_;
  prometheus::Family<prometheus::Gauge>& heartbeat_age_;

  absl::Mutex mu_;
  TaskTotals exported_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_map<std::string, JobSeries> job_series_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_map<std::string, prometheus::Gauge*> worker_series_ ABSL_GUARDED_BY(mu_);
  absl::Mutex rpc_mu_;
  absl::flat_hash_map<std::string, prometheus::Histogram*> rpc_series_ ABSL_GUARDED_BY(rpc_mu_);
};

}  // namespace fanout::coordinator

#endif  // FANOUT_COORDINATOR_METRICS_COORDINATOR_METRICS_H_
