// The worker's Prometheus metrics, built from an injected registry: its slots, and each
// invocation's duration and outcome by function.
#ifndef FANOUT_WORKER_WORKER_METRICS_H_
#define FANOUT_WORKER_WORKER_METRICS_H_

#include <array>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "prometheus/counter.h"
#include "prometheus/gauge.h"
#include "prometheus/histogram.h"
#include "prometheus/registry.h"
#include "proto/worker_service.pb.h"

namespace fanout::worker {

// Thread-safe. `registry` must outlive it.
class WorkerMetrics {
 public:
  WorkerMetrics(prometheus::Registry& registry, int slots);

  // One invocation of `function` that ended as `outcome` says.
  void Invocation(const std::string& function, const v1::TaskOutcome& outcome);
  void SetBusy(int busy) { busy_.Set(busy); }

 private:
  struct Series {
    prometheus::Histogram* seconds = nullptr;
    prometheus::Counter* count = nullptr;
  };
  // Per function, by outcome (succeeded, failed, continued, released): found without allocating
  // once a function has been seen, since this runs once per invocation.
  using Outcomes = std::array<Series, 4>;

  prometheus::Gauge& slots_;
  prometheus::Gauge& busy_;
  prometheus::Family<prometheus::Histogram>& seconds_;
  prometheus::Family<prometheus::Counter>& count_;
  absl::Mutex mu_;
  absl::flat_hash_map<std::string, Outcomes> series_ ABSL_GUARDED_BY(mu_);
};

}  // namespace fanout::worker

#endif  // FANOUT_WORKER_WORKER_METRICS_H_
