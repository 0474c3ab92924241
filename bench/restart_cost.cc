// Benchmark restart-cost: what a coordinator restart costs a running job. The same job — 2,000
// tasks of builtin:sleep 50 ms on 2 workers x 8 slots, 6.25 s of ideal wall time — runs three
// times: undisturbed, with the coordinator stopped by SIGTERM 2 s in and started again, and with
// it killed by SIGKILL 2 s in and started again. Prints each run's wall time (submit to the end the
// coordinator recorded, the restart included), its ratio to the undisturbed run, and the repeated
// work (attempts beyond one per task: work run twice because of the restart).
//
//   bazel-bin/bench/restart_cost --bin_dir=bin [--tasks=2000] [--sleep_ms=50]
#include <signal.h>

#include <iostream>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "bench/bench_cluster.h"
#include "common/proto_time.h"

ABSL_FLAG(std::string, bin_dir, "bin", "where the fanout binaries are");
ABSL_FLAG(int, tasks, 2000, "tasks in the job");
ABSL_FLAG(int, sleep_ms, 50, "each task's sleep");
ABSL_FLAG(int, workers, 2, "worker processes");
ABSL_FLAG(int, slots, 8, "slots per worker");
ABSL_FLAG(absl::Duration, restart_after, absl::Seconds(2), "when the restart comes");

namespace fanout::bench {
namespace {

struct Run {
  std::string name;
  double wall_s = 0, down_s = 0;
  int64_t repeated = 0;
  std::string state;
};

// Polls (a watch stream does not survive the restart) until the job ended.
absl::StatusOr<v1::Job> AwaitEnd(BenchCluster& c, const std::string& id) {
  while (true) {
    absl::StatusOr<v1::Job> job = c.GetJob(id);
    if (job.ok() && job->state() != v1::JOB_RUNNING) return job;
    absl::SleepFor(absl::Milliseconds(20));
  }
}

absl::StatusOr<Run> Measure(const std::string& name, int signal) {
  auto cluster = BenchCluster::Start(absl::GetFlag(FLAGS_bin_dir), absl::GetFlag(FLAGS_workers),
                                     absl::GetFlag(FLAGS_slots));
  if (!cluster.ok()) return cluster.status();
  BenchCluster& c = **cluster;
  v1::JobSpec spec;
  spec.set_function("builtin:sleep");
  spec.set_source(absl::StrCat("range:1-", absl::GetFlag(FLAGS_tasks)));
  spec.set_params_json(absl::StrCat(R"({"ms": )", absl::GetFlag(FLAGS_sleep_ms), "}"));
  Run run{name};
  const absl::Time start = absl::Now();
  absl::StatusOr<std::string> id = c.Submit(spec);
  if (!id.ok()) return id.status();
  if (signal != 0) {
    absl::SleepFor(absl::GetFlag(FLAGS_restart_after));
    absl::StatusOr<absl::Duration> down = c.RestartCoordinator(signal, {});
    if (!down.ok()) return down.status();
    run.down_s = absl::ToDoubleSeconds(*down);
  }
  absl::StatusOr<v1::Job> job = AwaitEnd(c, *id);
  if (!job.ok()) return job.status();
  // When the coordinator recorded the end, not when this client heard of it: its own channel
  // reconnects after a restart on gRPC's default backoff, which is not the job's cost.
  run.wall_s = absl::ToDoubleSeconds(FromProto(job->finished_at()) - start);
  run.state = v1::JobState_Name(job->state());
  absl::StatusOr<std::vector<v1::Task>> tasks = c.Tasks(*id);
  if (!tasks.ok()) return tasks.status();
  for (const v1::Task& t : *tasks) run.repeated += std::max(0, t.attempts_size() - 1);
  return run;
}

}  // namespace
}  // namespace fanout::bench

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  using fanout::bench::Run;
  std::vector<Run> runs;
  for (const auto& [name, signal] : std::vector<std::pair<std::string, int>>{
           {"undisturbed", 0}, {"SIGTERM restart", SIGTERM}, {"SIGKILL restart", SIGKILL}}) {
    absl::StatusOr<Run> run = fanout::bench::Measure(name, signal);
    if (!run.ok()) {
      std::cerr << "restart-cost: " << name << ": " << run.status() << "\n";
      return 1;
    }
    runs.push_back(*run);
  }
  const double ideal = absl::GetFlag(FLAGS_tasks) * absl::GetFlag(FLAGS_sleep_ms) / 1000.0 /
                       (absl::GetFlag(FLAGS_workers) * absl::GetFlag(FLAGS_slots));
  std::cout << absl::StrFormat(
      "restart-cost: %d x builtin:sleep %d ms, %d workers x %d slots (ideal %.2f s), restart %s "
      "in\n",
      absl::GetFlag(FLAGS_tasks), absl::GetFlag(FLAGS_sleep_ms), absl::GetFlag(FLAGS_workers),
      absl::GetFlag(FLAGS_slots), ideal, absl::FormatDuration(absl::GetFlag(FLAGS_restart_after)));
  std::cout << "| run | state | wall | vs undisturbed | coordinator down | repeated attempts |\n"
               "|---|---|---|---|---|---|\n";
  for (const Run& r : runs) {
    std::cout << absl::StrFormat("| %s | %s | %.2f s | %.2fx | %.2f s | %d |\n", r.name, r.state,
                                 r.wall_s, r.wall_s / runs[0].wall_s, r.down_s, r.repeated);
  }
  return 0;
}
