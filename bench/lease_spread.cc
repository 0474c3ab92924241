// Benchmark lease-spread: does a job of slow tasks spread over every worker, or does one worker
// lease far ahead of its slots while others idle? Each case runs on fresh workers and prints the
// wall time (submit to the end the coordinator recorded), its ratio to the ideal (tasks x
// duration / all slots; target <= 1.10) and the share of tasks the busiest worker ran.
//   - 200 x 50 ms on 2 workers x 4 slots (was 2.52 s for 1.25 s ideal: one worker took them all)
//   - the same right after a 2,000-task noop job (the workers' pace says tasks are instant)
//   - 48 x 1 s on 3 workers x 4 slots
//   - 1,000 x 100 ms on 100 slots (sleep-fanout, target <= 1.05x: was 1.21 s with the CLI, then
//     1.11 s: one worker had leased 12 tasks ahead)
//
//   bazel-bin/bench/lease_spread --bin_dir=bin [--only=sleep-fanout] [--dump=attempts.csv]
#include <fstream>
#include <iostream>
#include <map>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "bench/bench_cluster.h"
#include "common/proto_time.h"

ABSL_FLAG(std::string, bin_dir, "bin", "where the fanout binaries are");
ABSL_FLAG(std::string, only, "", "run only the cases whose name contains this");
ABSL_FLAG(std::string, dump, "",
          "write each task's attempt (worker, leased, ended, ms from the submit; run ms) here as "
          "CSV, to see where a case loses time");

namespace fanout::bench {
namespace {

struct Case {
  std::string name;
  int workers, slots, tasks, sleep_ms;
  bool after_noop;
};

struct Result {
  double wall_s = 0, ideal_s = 0, busiest_share = 0;
};

v1::JobSpec Sleeps(int tasks, int ms) {
  v1::JobSpec spec;
  spec.set_function("builtin:sleep");
  spec.set_source(absl::StrCat("range:1-", tasks));
  spec.set_params_json(absl::StrCat(R"({"ms": )", ms, "}"));
  return spec;
}

absl::StatusOr<Result> Measure(const Case& c) {
  auto cluster = BenchCluster::Start(absl::GetFlag(FLAGS_bin_dir), c.workers, c.slots);
  if (!cluster.ok()) return cluster.status();
  if (c.after_noop) {
    v1::JobSpec noop;
    noop.set_function("builtin:noop");
    noop.set_source("range:1-2000");
    if (absl::StatusOr<v1::Job> done = (*cluster)->RunJob(noop); !done.ok()) return done.status();
  }
  const absl::Time start = absl::Now();
  absl::StatusOr<v1::Job> job = (*cluster)->RunJob(Sleeps(c.tasks, c.sleep_ms));
  if (!job.ok()) return job.status();
  if (job->state() != v1::JOB_SUCCEEDED) return absl::InternalError(job->ShortDebugString());
  absl::StatusOr<std::vector<v1::Task>> tasks = (*cluster)->Tasks(job->job_id());
  if (!tasks.ok()) return tasks.status();
  std::map<std::string, int> by_worker;
  for (const v1::Task& t : *tasks) {
    if (t.attempts_size() > 0) ++by_worker[t.attempts(t.attempts_size() - 1).worker_id()];
  }
  if (const std::string path = absl::GetFlag(FLAGS_dump); !path.empty()) {
    std::ofstream out(path, std::ios::app);
    for (const v1::Task& t : *tasks) {
      for (const v1::Attempt& a : t.attempts()) {
        out << c.name << "," << a.worker_id() << ","
            << absl::ToDoubleMilliseconds(FromProto(a.leased_at()) - start) << ","
            << absl::ToDoubleMilliseconds(FromProto(a.ended_at()) - start) << ","
            << absl::ToDoubleMilliseconds(FromProto(a.duration())) << "\n";
      }
    }
  }
  int busiest = 0;
  for (const auto& [worker, n] : by_worker) busiest = std::max(busiest, n);
  Result r;
  r.wall_s = absl::ToDoubleSeconds(FromProto(job->finished_at()) - start);
  r.ideal_s = c.tasks * c.sleep_ms / 1000.0 / (c.workers * c.slots);
  r.busiest_share = static_cast<double>(busiest) / c.tasks;
  return r;
}

}  // namespace
}  // namespace fanout::bench

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  using fanout::bench::Case;
  const std::vector<Case> cases = {
      {"200 x 50 ms, 2 workers x 4 slots", 2, 4, 200, 50, false},
      {"the same after a noop job", 2, 4, 200, 50, true},
      {"48 x 1 s, 3 workers x 4 slots", 3, 4, 48, 1000, false},
      {"1000 x 100 ms, 4 workers x 25 slots (sleep-fanout)", 4, 25, 1000, 100, false},
  };
  std::cout << "lease-spread: slow tasks over several workers (target: wall <= 1.10x ideal)\n"
               "| case | wall | ideal | ratio | busiest worker ran |\n|---|---|---|---|---|\n";
  for (const Case& c : cases) {
    if (c.name.find(absl::GetFlag(FLAGS_only)) == std::string::npos) continue;
    absl::StatusOr<fanout::bench::Result> r = fanout::bench::Measure(c);
    if (!r.ok()) {
      std::cerr << "lease-spread: " << c.name << ": " << r.status() << "\n";
      return 1;
    }
    std::cout << absl::StrFormat("| %s | %.2f s | %.2f s | %.2fx | %.0f%% |\n", c.name, r->wall_s,
                                 r->ideal_s, r->wall_s / r->ideal_s, 100 * r->busiest_share);
  }
  return 0;
}
