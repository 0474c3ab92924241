// Benchmark checkpoint-overhead: the same builtin:count job — T tasks of N steps each, no sleep per
// step, so that only the checkpoints cost anything — with a checkpoint every 1,000 / 10,000 /
// 100,000 steps and with none. Each checkpoint is a durable commit on the coordinator before
// ctx.checkpoint() returns. Prints wall time, the overhead against no checkpoints, checkpoint
// commits per second, and each setting's time per checkpoint.
//
//   bazel-bin/bench/checkpoint_overhead --bin_dir=bin [--tasks=8] [--steps=2000000]
#include <iostream>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "bench/bench_cluster.h"
#include "nlohmann/json.hpp"

ABSL_FLAG(std::string, bin_dir, "bin", "where fanout-coordinator and fanout-worker are");
ABSL_FLAG(int, tasks, 4, "count tasks in each job (they run in parallel, one per slot)");
ABSL_FLAG(int64_t, steps, 20000000, "steps per task");
ABSL_FLAG(int, workers, 2, "worker processes");
ABSL_FLAG(int, slots, 2, "slots per worker");

namespace fanout::bench {
namespace {

using nlohmann::json;

struct Row {
  int64_t every;  // 0: no checkpoints
  double seconds;
  int64_t checkpoints;
};

absl::StatusOr<Row> Measure(BenchCluster& c, int64_t every) {
  const int64_t steps = absl::GetFlag(FLAGS_steps);
  json items = json::array();
  for (int i = 0; i < absl::GetFlag(FLAGS_tasks); ++i) items.push_back({{"n", steps}});
  v1::JobSpec spec;
  spec.set_function("builtin:count");
  spec.set_source(items.dump());
  // "None": an interval past the end of the count, so the handler never checkpoints.
  spec.set_params_json(json{{"checkpoint_every", every == 0 ? steps + 1 : every}}.dump());
  const absl::Time t0 = absl::Now();
  absl::StatusOr<v1::Job> job = c.RunJob(spec);
  const double seconds = absl::ToDoubleSeconds(absl::Now() - t0);
  if (!job.ok()) return job.status();
  if (job->state() != v1::JOB_SUCCEEDED) return absl::InternalError(job->ShortDebugString());
  const int64_t per_task = every == 0 ? 0 : (steps - 1) / every;
  return Row{every, seconds, per_task * absl::GetFlag(FLAGS_tasks)};
}

int Run() {
  auto cluster = BenchCluster::Start(absl::GetFlag(FLAGS_bin_dir), absl::GetFlag(FLAGS_workers),
                                     absl::GetFlag(FLAGS_slots));
  if (!cluster.ok()) {
    std::cerr << cluster.status() << "\n";
    return 1;
  }
  // A first job warms up connections and caches; its figures are not kept.
  if (absl::StatusOr<Row> warm = Measure(**cluster, 0); !warm.ok()) {
    std::cerr << warm.status() << "\n";
    return 1;
  }
  std::vector<Row> rows;
  for (int64_t every : {int64_t{0}, int64_t{100000}, int64_t{10000}, int64_t{1000}}) {
    absl::StatusOr<Row> row = Measure(**cluster, every);
    if (!row.ok()) {
      std::cerr << row.status() << "\n";
      return 1;
    }
    rows.push_back(*row);
  }
  const double base = rows[0].seconds;
  std::cout << absl::StrFormat(
      "checkpoint-overhead: %d count tasks x %d steps (no sleep), %d workers x %d slots, durable\n"
      "| checkpoint every | wall time | overhead vs none | checkpoints | commits/s | per "
      "checkpoint |\n"
      "|------------------|-----------|------------------|-------------|-----------|---------------"
      "-|\n",
      absl::GetFlag(FLAGS_tasks), absl::GetFlag(FLAGS_steps), absl::GetFlag(FLAGS_workers),
      absl::GetFlag(FLAGS_slots));
  for (const Row& r : rows) {
    const double extra = r.seconds - base;
    std::cout << absl::StrFormat(
        "| %16s | %7.2f s | %15.2fx | %11d | %9.0f | %11.1f us |\n",
        r.every == 0 ? "never" : absl::StrCat(r.every, " steps"), r.seconds, r.seconds / base,
        r.checkpoints, r.checkpoints / r.seconds,
        r.checkpoints == 0
            ? 0.0
            : extra * 1e6 / r.checkpoints * absl::GetFlag(FLAGS_tasks) /
                  std::min(absl::GetFlag(FLAGS_tasks),
                           absl::GetFlag(FLAGS_workers) * absl::GetFlag(FLAGS_slots)));
  }
  std::cout << "(per checkpoint: the extra wall time a task spends per checkpoint it commits; the\n"
               " tasks run in parallel, so this is each checkpoint's round trip and disk sync)\n";
  return 0;
}

}  // namespace
}  // namespace fanout::bench

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  return fanout::bench::Run();
}
