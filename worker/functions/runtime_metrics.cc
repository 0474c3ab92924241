#include "worker/functions/runtime_metrics.h"

namespace fanout::worker {
namespace {

prometheus::Counter& CounterOf(prometheus::Registry& registry, const std::string& name,
                               const std::string& help) {
  return prometheus::BuildCounter().Name(name).Help(help).Register(registry).Add({});
}

}  // namespace

RuntimeMetrics::RuntimeMetrics(prometheus::Registry& registry)
    : cold_starts_(CounterOf(registry, "fanout_worker_runtime_cold_starts_total",
                             "Runtimes of users' functions started for an invocation")),
      init_seconds_(CounterOf(registry, "fanout_worker_runtime_init_seconds_total",
                              "Time runtimes took from start to their first invocation/next")),
      warm_(CounterOf(registry, "fanout_worker_runtime_warm_invocations_total",
                      "Invocations served by a runtime that was already running")),
      exits_(CounterOf(registry, "fanout_worker_runtime_exits_total",
                       "Runtimes that ended on their own or were killed (crash, time limit, "
                       "memory limit, lost lease)")),
      live_(prometheus::BuildGauge()
                .Name("fanout_worker_runtimes")
                .Help("Runtimes of users' functions alive now, idle or busy")
                .Register(registry)
                .Add({})) {}

void RuntimeMetrics::Refresh(const RuntimePool& pool) {
  const RuntimeStats now = pool.stats();
  absl::MutexLock lock(&mu_);
  cold_starts_.Increment(static_cast<double>(now.cold_starts - last_.cold_starts));
  init_seconds_.Increment(now.init_seconds - last_.init_seconds);
  warm_.Increment(static_cast<double>(now.warm_invocations - last_.warm_invocations));
  exits_.Increment(static_cast<double>(now.exits - last_.exits));
  live_.Set(static_cast<double>(pool.live()));
  last_ = now;
}

}  // namespace fanout::worker
