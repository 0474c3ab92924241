// Benchmark noop-fanout-100k: one job of N builtin:noop tasks on W worker processes against a real
// coordinator with durable settings (WAL synced before every acknowledgement). Measures the time
// from SubmitJob until the submitter's WatchJob stream reports the job SUCCEEDED, per-task
// latencies from the stored attempts, CPU per task and the coordinator's peak RSS. Prints a table
// and the ratio to the target.
//
//   bazel-bin/bench/noop_fanout --bin_dir=bin [--tasks=100000] [--workers=2] [--slots=4]
#include <iostream>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "bench/bench_cluster.h"
#include "bench/bullmq_run.h"
#include "common/proto_time.h"

ABSL_FLAG(std::string, bin_dir, "bin", "where fanout-coordinator and fanout-worker are");
ABSL_FLAG(int, tasks, 100000, "tasks in the job");
ABSL_FLAG(int, workers, 2, "worker processes");
ABSL_FLAG(int, slots, 4, "slots per worker");
ABSL_FLAG(double, target, 50000, "tasks/s the benchmark should reach");
ABSL_FLAG(std::string, bullmq_modules, "",
          "node_modules with bullmq (bench/bullmq): also run BullMQ on Redis, same tasks and "
          "slots, and print the ratio (empty: skip)");

namespace fanout::bench {
namespace {

// BullMQ with the same tasks and slots, in this run; prints the ratios to issue 15's 20x.
bool CompareWithBullMq(double fanout_rate, const std::string& scratch) {
  if (absl::GetFlag(FLAGS_bullmq_modules).empty()) return true;
  std::cout << "\n| system (same run)                                | tasks/s | fanout / it |\n"
               "|--------------------------------------------------|---------|-------------|\n";
  std::cout << absl::StrFormat("| %-48s | %7.0f | %11s |\n", "fanout (WAL synced before each ack)",
                               fanout_rate, "");
  for (const char* fsync : {"always", "everysec"}) {
    BullMqSetup setup{.node_modules = absl::GetFlag(FLAGS_bullmq_modules),
                      .appendfsync = fsync,
                      .tasks = absl::GetFlag(FLAGS_tasks),
                      .workers = absl::GetFlag(FLAGS_workers),
                      .concurrency = absl::GetFlag(FLAGS_slots)};
    absl::StatusOr<double> rate = RunBullMq(setup, scratch);
    if (!rate.ok()) return std::cerr << rate.status() << "\n", false;
    const std::string name = absl::StrCat("BullMQ 5, Redis AOF appendfsync ", fsync);
    std::cout << absl::StrFormat("| %-48s | %7.0f | %10.1fx |\n", name, *rate, fanout_rate / *rate);
  }
  std::cout << "target: fanout / BullMQ >= 20x\n";
  return true;
}

int Run() {
  const int n = absl::GetFlag(FLAGS_tasks);
  auto cluster = BenchCluster::Start(absl::GetFlag(FLAGS_bin_dir), absl::GetFlag(FLAGS_workers),
                                     absl::GetFlag(FLAGS_slots));
  if (!cluster.ok()) {
    std::cerr << cluster.status() << "\n";
    return 1;
  }
  BenchCluster& c = **cluster;
  const double coordinator_cpu0 = CpuSeconds(c.coordinator().pid());
  double workers_cpu0 = 0;
  for (auto& w : c.workers()) workers_cpu0 += CpuSeconds(w->pid());

  v1::JobSpec spec;
  spec.set_function("builtin:noop");
  spec.set_source(absl::StrCat("range:1-", n));
  const absl::Time t0 = absl::Now();
  absl::StatusOr<v1::Job> job = c.RunJob(spec);
  const absl::Time t1 = absl::Now();
  if (!job.ok()) {
    std::cerr << job.status() << "\n";
    return 1;
  }
  const int64_t rss_kb = PeakRssKb(c.coordinator().pid());
  const double coordinator_cpu = CpuSeconds(c.coordinator().pid()) - coordinator_cpu0;
  double workers_cpu = -workers_cpu0;
  for (auto& w : c.workers()) workers_cpu += CpuSeconds(w->pid());

  std::vector<double> end_to_end_ms, run_ms;
  absl::StatusOr<std::vector<v1::Task>> tasks = c.Tasks(job->job_id());
  if (!tasks.ok()) return 1;
  for (const v1::Task& t : *tasks) {
    const absl::Time done = FromProto(t.finished_at());
    end_to_end_ms.push_back(absl::ToDoubleMilliseconds(done - FromProto(job->created_at())));
    run_ms.push_back(absl::ToDoubleMilliseconds(done - FromProto(t.attempts(0).leased_at())));
  }
  const double seconds = absl::ToDoubleSeconds(t1 - t0);
  const double rate = n / seconds;
  std::cout << absl::StrFormat(
      "noop-fanout-%dk: %d tasks, %d workers x %d slots, durable (WAL synced)\n"
      "| metric                                   | value      |\n"
      "|------------------------------------------|------------|\n"
      "| job state                                | %-10s |\n"
      "| submit -> all completions seen           | %7.2f s  |\n"
      "| throughput                               | %7.0f /s |\n"
      "| task latency p50 (submit -> committed)   | %7.0f ms |\n"
      "| task latency p99 (submit -> committed)   | %7.0f ms |\n"
      "| task latency p50 (leased -> committed)   | %7.1f ms |\n"
      "| task latency p99 (leased -> committed)   | %7.1f ms |\n"
      "| coordinator peak RSS                     | %7.0f MB |\n"
      "| coordinator CPU per task                 | %7.2f us |\n"
      "| workers CPU per task                     | %7.2f us |\n"
      "throughput / target (%.0f/s) = %.2f\n",
      n / 1000, n, absl::GetFlag(FLAGS_workers), absl::GetFlag(FLAGS_slots),
      JobState_Name(job->state()).substr(4), seconds, rate, Percentile(end_to_end_ms, 0.5),
      Percentile(end_to_end_ms, 0.99), Percentile(run_ms, 0.5), Percentile(run_ms, 0.99),
      rss_kb / 1024.0, coordinator_cpu * 1e6 / n, workers_cpu * 1e6 / n,
      absl::GetFlag(FLAGS_target), rate / absl::GetFlag(FLAGS_target));
  if (job->state() != v1::JOB_SUCCEEDED) return 1;
  return CompareWithBullMq(rate, c.dir()) ? 0 : 1;
}

}  // namespace
}  // namespace fanout::bench

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  return fanout::bench::Run();
}
