// Benchmark manifest-scale: one job over a jsonl: manifest of N lines (1M and 10M by default) of
// builtin:noop, against a fresh coordinator and workers with durable settings. The manifest is read
// lazily, a window at a time, so the coordinator's memory should not grow with N and the first
// task should be dispatched at once whatever N is. Measures, per size: submit latency, time from
// submit to the first task dispatched (the job's counts polled every 2 ms), time to SUCCEEDED,
// throughput, and the coordinator's peak RSS. Prints a table and the ratios to the targets
// (10M items under 1 GiB; first task under 1 s).
//
//   bazel-bin/bench/manifest_scale --bin_dir=bin [--sizes=1000000,10000000] [--batch_size=1]
#include <filesystem>
#include <fstream>
#include <iostream>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "bench/bench_cluster.h"

ABSL_FLAG(std::string, bin_dir, "bin", "where fanout-coordinator and fanout-worker are");
ABSL_FLAG(std::string, sizes, "1000000,10000000", "manifest lines, one job each");
ABSL_FLAG(int, batch_size, 1, "items per task");
ABSL_FLAG(int, workers, 2, "worker processes");
ABSL_FLAG(int, slots, 8, "slots per worker");
ABSL_FLAG(std::string, work_dir, "/tmp/fanout-bench-manifest", "where the manifests are written");

namespace fanout::bench {
namespace {

struct Row {
  int64_t items = 0;
  double write_s = 0, submit_ms = 0, first_task_ms = 0, total_s = 0;
  int64_t rss_kb = 0;
  std::string state;
};

std::string WriteManifest(int64_t n) {
  const std::string path = absl::StrCat(absl::GetFlag(FLAGS_work_dir), "/m", n, ".jsonl");
  std::ofstream out(path);
  std::string buffer;
  for (int64_t i = 0; i < n; ++i) {
    absl::StrAppend(&buffer, R"({"n":)", i, "}\n");
    if (buffer.size() > (1 << 20)) {
      out << buffer;
      buffer.clear();
    }
  }
  out << buffer;
  return path;
}

absl::StatusOr<Row> Measure(int64_t n) {
  Row row;
  row.items = n;
  absl::Time t = absl::Now();
  const std::string path = WriteManifest(n);
  row.write_s = absl::ToDoubleSeconds(absl::Now() - t);
  auto cluster = BenchCluster::Start(absl::GetFlag(FLAGS_bin_dir), absl::GetFlag(FLAGS_workers),
                                     absl::GetFlag(FLAGS_slots));
  if (!cluster.ok()) return cluster.status();
  BenchCluster& c = **cluster;
  v1::JobSpec spec;
  spec.set_function("builtin:noop");
  spec.set_source("jsonl:" + path);
  spec.mutable_options()->set_batch_size(absl::GetFlag(FLAGS_batch_size));
  const absl::Time t0 = absl::Now();
  absl::StatusOr<std::string> id = c.Submit(spec);
  if (!id.ok()) return id.status();
  row.submit_ms = absl::ToDoubleMilliseconds(absl::Now() - t0);
  for (absl::Time end = t0 + absl::Seconds(60); absl::Now() < end;) {
    absl::StatusOr<v1::Job> job = c.GetJob(*id);
    if (!job.ok()) return job.status();
    const v1::TaskCounts& k = job->counts();
    if (k.running() + k.succeeded() + k.failed() + k.dead() > 0) break;
    absl::SleepFor(absl::Milliseconds(2));
  }
  row.first_task_ms = absl::ToDoubleMilliseconds(absl::Now() - t0);
  absl::StatusOr<v1::Job> job = c.WaitForEnd(*id);
  if (!job.ok()) return job.status();
  row.total_s = absl::ToDoubleSeconds(absl::Now() - t0);
  row.rss_kb = PeakRssKb(c.coordinator().pid());
  row.state = JobState_Name(job->state()).substr(4);
  std::filesystem::remove(path);
  return row;
}

int Run() {
  std::filesystem::create_directories(absl::GetFlag(FLAGS_work_dir));
  std::vector<Row> rows;
  for (absl::string_view s : absl::StrSplit(absl::GetFlag(FLAGS_sizes), ',')) {
    int64_t n = 0;
    if (!absl::SimpleAtoi(s, &n) || n < 1) {
      std::cerr << "--sizes: '" << s << "' is not a positive count\n";
      return 2;
    }
    absl::StatusOr<Row> row = Measure(n);
    if (!row.ok()) {
      std::cerr << n << " items: " << row.status() << "\n";
      return 1;
    }
    rows.push_back(*row);
  }
  std::cout << absl::StrFormat(
      "manifest-scale: jsonl: manifests of builtin:noop, batch %d, %d workers x %d slots, durable\n"
      "| items      | state     | submit   | first task | to end    | items/s  | coord. peak RSS "
      "|\n"
      "|------------|-----------|----------|------------|-----------|----------|-----------------|"
      "\n",
      absl::GetFlag(FLAGS_batch_size), absl::GetFlag(FLAGS_workers), absl::GetFlag(FLAGS_slots));
  bool ok = true;
  for (const Row& r : rows) {
    std::cout << absl::StrFormat(
        "| %10d | %-9s | %5.1f ms | %7.1f ms | %7.1f s | %8.0f | %11.0f MiB |\n", r.items, r.state,
        r.submit_ms, r.first_task_ms, r.total_s, r.items / r.total_s, r.rss_kb / 1024.0);
    ok &= r.state == "SUCCEEDED";
  }
  for (const Row& r : rows) {
    std::cout << absl::StrFormat(
        "%d items: first task / target (1000 ms) = %.3f; peak RSS / target (1024 MiB) = %.3f\n",
        r.items, r.first_task_ms / 1000, r.rss_kb / 1024.0 / 1024);
  }
  return ok ? 0 : 1;
}

}  // namespace
}  // namespace fanout::bench

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  return fanout::bench::Run();
}
