// A fanout-trigger from bin/ in front of a BenchCluster's coordinator, for the webhook benchmarks.
#ifndef FANOUT_BENCH_BENCH_TRIGGER_H_
#define FANOUT_BENCH_BENCH_TRIGGER_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "bench/bench_cluster.h"
#include "tests/process.h"

namespace fanout::bench {

// One webhook rule, "bench", running builtin:noop for every ObjectCreated event.
inline constexpr char kNoopWebhookRule[] = R"({"rules": [{"name": "bench",
    "source": {"type": "webhook"}, "filter": {"events": ["ObjectCreated:*"]},
    "job": {"function": "builtin:noop"}}]})";

struct BenchTrigger {
  std::unique_ptr<testing::Process> process;
  std::string url;  // the webhook's
};

// Starts bin/fanout-trigger with `config` (JSON text) and `flags`; waits until it serves.
absl::StatusOr<BenchTrigger> StartTrigger(BenchCluster& cluster, const std::string& bin,
                                          const std::string& config,
                                          std::vector<std::string> flags = {});

// An S3 notification (Ceph's dialect) of one ObjectCreated record per key, in bucket "bench".
std::string S3EventBody(const std::vector<std::string>& keys);

}  // namespace fanout::bench

#endif  // FANOUT_BENCH_BENCH_TRIGGER_H_
