// Benchmark job-latency: how soon a one-item job's end is seen, inside the coordinator and worker
// (an in-process gRPC client, so no CLI start counts). Each of N jobs (builtin:noop, one item) is
// submitted and its WatchJob stream read until it reports the job ended; the time from the submit
// call to that message is the round trip: a durable submit, the waiting worker woken, the
// invocation, its report committed (WAL synced), the watch woken by that commit.
//
//   bazel-bin/bench/job_latency --bin_dir=bin [--jobs=300]
#include <iostream>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "bench/bench_cluster.h"

ABSL_FLAG(std::string, bin_dir, "bin", "where the fanout binaries are");
ABSL_FLAG(int, jobs, 300, "one-item jobs, one after another");

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  using fanout::bench::BenchCluster;
  auto cluster = BenchCluster::Start(absl::GetFlag(FLAGS_bin_dir), 1, 4);
  if (!cluster.ok()) {
    std::cerr << "job-latency: " << cluster.status() << "\n";
    return 1;
  }
  fanout::v1::JobSpec spec;
  spec.set_function("builtin:noop");
  spec.set_source("[1]");
  std::vector<double> ms;
  for (int i = 0; i < absl::GetFlag(FLAGS_jobs); ++i) {
    const absl::Time start = absl::Now();
    absl::StatusOr<fanout::v1::Job> job = (*cluster)->RunJob(spec);
    if (!job.ok() || job->state() != fanout::v1::JOB_SUCCEEDED) {
      std::cerr << "job-latency: job " << i << ": "
                << (job.ok() ? job->ShortDebugString() : job.status().ToString()) << "\n";
      return 1;
    }
    ms.push_back(absl::ToDoubleMilliseconds(absl::Now() - start));
  }
  using fanout::bench::Percentile;
  std::cout << absl::StrFormat(
      "job-latency: %d one-item noop jobs, one after another, 1 worker x 4 slots, WAL synced\n"
      "| metric | value | target |\n|---|---|---|\n"
      "| submit -> end seen, p50 | %.2f ms | < 1 ms |\n"
      "| submit -> end seen, p99 | %.2f ms | < 5 ms |\n"
      "| max | %.2f ms | |\n",
      absl::GetFlag(FLAGS_jobs), Percentile(ms, 0.5), Percentile(ms, 0.99), Percentile(ms, 1.0));
  return 0;
}
