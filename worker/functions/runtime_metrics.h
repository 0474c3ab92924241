// Prometheus series of a worker's function runtimes, refreshed from the pool at each scrape:
// cold starts, init seconds, warm invocations, runtime exits, runtimes alive.
#ifndef FANOUT_WORKER_FUNCTIONS_RUNTIME_METRICS_H_
#define FANOUT_WORKER_FUNCTIONS_RUNTIME_METRICS_H_

#include "absl/synchronization/mutex.h"
#include "prometheus/counter.h"
#include "prometheus/gauge.h"
#include "prometheus/registry.h"
#include "worker/runtime/runtime_pool.h"

namespace fanout::worker {

// Thread-safe. `registry` must outlive it.
class RuntimeMetrics {
 public:
  explicit RuntimeMetrics(prometheus::Registry& registry);
  void Refresh(const RuntimePool& pool);

 private:
  prometheus::Counter& cold_starts_;
  prometheus::Counter& init_seconds_;
  prometheus::Counter& warm_;
  prometheus::Counter& exits_;
  prometheus::Gauge& live_;
  absl::Mutex mu_;
  RuntimeStats last_ ABSL_GUARDED_BY(mu_);  // what the counters hold
};

}  // namespace fanout::worker

#endif  // FANOUT_WORKER_FUNCTIONS_RUNTIME_METRICS_H_
