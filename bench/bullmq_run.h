// BullMQ on a real Redis, run by the noop-fanout benchmark for a same-run comparison: starts
// redis-server on a free loopback port (AOF on, with the given appendfsync), runs
// bench/bullmq/noop.js under Node with the given node_modules, and stops Redis.
#ifndef FANOUT_BENCH_BULLMQ_RUN_H_
#define FANOUT_BENCH_BULLMQ_RUN_H_

#include <string>

#include "absl/status/statusor.h"

namespace fanout::bench {

struct BullMqSetup {
  std::string script = "bench/bullmq/noop.js";
  std::string node_modules;  // with bullmq installed (./dev bench: bench/bullmq's lock file)
  std::string appendfsync;   // "always" (synced before each reply, like fanout) or "everysec"
  int tasks = 100000;
  int workers = 2;      // Node processes
  int concurrency = 4;  // jobs each runs at once
};

// BullMQ's noop jobs per second.
absl::StatusOr<double> RunBullMq(const BullMqSetup& setup, const std::string& scratch_dir);

}  // namespace fanout::bench

#endif  // FANOUT_BENCH_BULLMQ_RUN_H_
