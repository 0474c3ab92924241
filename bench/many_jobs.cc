// Benchmark many-jobs: a webhook storm's worth of one-task jobs — 1,000,000 by default, each with
// its event's idempotency key — run to the end on a real coordinator (WAL synced), then measured
// while they are all kept, and again after retention deleted them: coordinator RSS, restart time
// (SIGTERM and SIGKILL), `fanout list` latency, and the lease throughput of a 100k-task job.
//
//   bazel-bin/bench/many_jobs --bin_dir=bin [--jobs=1000000] [--submitters=32]
#include <signal.h>

#include <atomic>
#include <fstream>
#include <iostream>
#include <thread>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "bench/bench_cluster.h"
#include "grpcpp/grpcpp.h"
#include "tests/free_port.h"
#include "tests/http_client.h"

ABSL_FLAG(std::string, bin_dir, "bin", "where the fanout binaries are");
ABSL_FLAG(int, jobs, 1000000, "one-task jobs in the storm");
ABSL_FLAG(int, submitters, 32, "concurrent submitting clients");
ABSL_FLAG(int, workers, 2, "worker processes");
ABSL_FLAG(int, slots, 8, "slots per worker");

namespace fanout::bench {
namespace {

struct Measured {
  double rss_mb = 0;
  double list_p50_ms = 0, list_p99_ms = 0, cli_list_ms = 0;
  double restart_term_s = 0, restart_kill_s = 0, rss_after_restart_mb = 0;
  double lease_rate = 0;
};

double RssMb(pid_t pid) {
  std::ifstream in(absl::StrCat("/proc/", pid, "/status"));
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("VmRSS:", 0) == 0) return std::stod(line.substr(6)) / 1024;
  }
  return -1;
}

// The coordinator's count of tasks succeeded since it started, from /metrics.
int64_t Succeeded(int metrics_port) {
  absl::StatusOr<s3::HttpResponse> r = testing::HttpGet(metrics_port, "/metrics");
  if (!r.ok()) return -1;
  const std::string name = "fanout_tasks_succeeded_total ";
  const size_t at = r->body.find("\n" + name);
  if (at == std::string::npos) return -1;
  double v = 0;
  const size_t from = at + 1 + name.size();
  (void)absl::SimpleAtod(r->body.substr(from, r->body.find('\n', from) - from), &v);
  return static_cast<int64_t>(v);
}

v1::JobSpec StormJob(int i) {
  v1::JobSpec spec;
  spec.set_function("builtin:noop");
  spec.set_source(absl::StrCat(R"([{"bucket":"uploads","key":"photos/)", i,
                               R"(.jpg","size":1024,"etag":"e)", i, R"("}])"));
  spec.set_idempotency_key(absl::StrCat("s3/storm/uploads/photos/", i, ".jpg/e", i));
  (*spec.mutable_labels())["trigger"] = "storm";
  return spec;
}

absl::Status Storm(BenchCluster& c, int n, int submitters) {
  std::atomic<int> next{0}, failed{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < submitters; ++t) {
    threads.emplace_back([&] {
      auto stub = v1::JobService::NewStub(
          grpc::CreateChannel(c.address(), grpc::InsecureChannelCredentials()));
      for (int i = next++; i < n; i = next++) {
        v1::SubmitJobRequest request;
        *request.mutable_spec() = StormJob(i);
        v1::SubmitJobResponse response;
        grpc::ClientContext context;
        if (!stub->SubmitJob(&context, request, &response).ok()) ++failed;
      }
    });
  }
  for (std::thread& t : threads) t.join();
  if (failed > 0) return absl::UnavailableError(absl::StrCat(failed.load(), " submits failed"));
  return absl::OkStatus();
}

double MedianCliListMs(const std::string& bin, const std::string& address) {
  std::vector<double> ms;
  for (int i = 0; i < 5; ++i) {
    const absl::Time start = absl::Now();
    testing::RunCommand(bin + "/fanout", {"list", "--coordinator=" + address});
    ms.push_back(absl::ToDoubleMilliseconds(absl::Now() - start));
  }
  return Percentile(ms, 0.5);
}

Measured Measure(BenchCluster& c, const std::string& bin, const std::vector<std::string>& flags) {
  Measured m;
  m.rss_mb = RssMb(c.coordinator().pid());
  std::vector<double> list_ms;
  for (int i = 0; i < 50; ++i) {
    v1::ListJobsResponse page;
    grpc::ClientContext context;
    const absl::Time start = absl::Now();
    c.jobs().ListJobs(&context, v1::ListJobsRequest(), &page);
    list_ms.push_back(absl::ToDoubleMilliseconds(absl::Now() - start));
  }
  m.list_p50_ms = Percentile(list_ms, 0.5);
  m.list_p99_ms = Percentile(list_ms, 0.99);
  m.cli_list_ms = MedianCliListMs(bin, c.address());
  m.restart_term_s = absl::ToDoubleSeconds(c.RestartCoordinator(SIGTERM, flags).value());
  m.restart_kill_s = absl::ToDoubleSeconds(c.RestartCoordinator(SIGKILL, flags).value());
  m.rss_after_restart_mb = RssMb(c.coordinator().pid());
  v1::JobSpec spec;
  spec.set_function("builtin:noop");
  spec.set_source("range:1-16");
  (void)c.RunJob(spec);  // once the workers are back from the restarts (their reconnect waits)
  spec.set_source("range:1-100000");
  const absl::Time start = absl::Now();
  absl::StatusOr<v1::Job> job = c.RunJob(spec);
  if (job.ok()) m.lease_rate = 100000 / absl::ToDoubleSeconds(absl::Now() - start);
  return m;
}

bool Gone(BenchCluster& c, const std::string& job_id) {
  return c.GetJob(job_id).status().code() == absl::StatusCode::kNotFound;
}

int Run() {
  const std::string bin = absl::GetFlag(FLAGS_bin_dir);
  const int n = absl::GetFlag(FLAGS_jobs);
  const int metrics_port = testing::FreePortBelowEphemeral();
  const std::vector<std::string> flags = {
      absl::StrCat("--metrics_listen=127.0.0.1:", metrics_port)};
  auto cluster =
      BenchCluster::Start(bin, absl::GetFlag(FLAGS_workers), absl::GetFlag(FLAGS_slots), flags);
  if (!cluster.ok()) {
    std::cerr << cluster.status() << "\n";
    return 1;
  }
  BenchCluster& c = **cluster;
  const absl::Time t0 = absl::Now();
  if (absl::Status s = Storm(c, n, absl::GetFlag(FLAGS_submitters)); !s.ok()) {
    std::cerr << s << "\n";
    return 1;
  }
  const absl::Duration submitted = absl::Now() - t0;
  while (Succeeded(metrics_port) < n) absl::SleepFor(absl::Milliseconds(500));
  const absl::Duration ran = absl::Now() - t0;
  const double peak_mb = PeakRssKb(c.coordinator().pid()) / 1024.0;
  const Measured kept = Measure(c, bin, flags);

  std::vector<std::string> expiring = flags;
  expiring.insert(expiring.end(), {"--job_retention=1s", "--idempotency_retention=1s"});
  (void)c.RestartCoordinator(SIGTERM, expiring);
  const absl::Time d0 = absl::Now();
  while (!Gone(c, "job-1") || !Gone(c, absl::StrCat("job-", n))) {
    absl::SleepFor(absl::Milliseconds(200));
  }
  const absl::Duration deleted = absl::Now() - d0;
  (void)c.RestartCoordinator(SIGTERM, flags);
  const Measured after = Measure(c, bin, flags);

  std::cout << absl::StrFormat(
      "many-jobs: %d one-task jobs with idempotency keys (a webhook storm), %d submitters, %d "
      "workers x %d slots, WAL synced\n"
      "storm: submitted in %.1f s (%.0f jobs/s), all run in %.1f s; coordinator peak RSS %.0f MB\n"
      "retention (--job_retention=1s): all %d deleted in %.1f s (%.0f jobs/s)\n\n"
      "| measure                          | %7dk jobs kept | after retention | goal     |\n"
      "|----------------------------------|-----------------|-----------------|----------|\n"
      "| coordinator RSS                  | %12.0f MB | %12.0f MB | < 1 GiB  |\n"
      "| restart, SIGTERM (to serving)    | %13.2f s | %13.2f s | < 3 s    |\n"
      "| restart, SIGKILL (to serving)    | %13.2f s | %13.2f s | < 3 s    |\n"
      "| RSS after restart                | %12.0f MB | %12.0f MB |          |\n"
      "| ListJobs first page p50 / p99    | %6.1f / %4.1f ms | %6.1f / %4.1f ms | < 100 ms |\n"
      "| `fanout list` (process, median)  | %12.0f ms | %12.0f ms | < 100 ms |\n"
      "| lease throughput (100k noop job) | %10.0f /s | %10.0f /s |          |\n",
      n, absl::GetFlag(FLAGS_submitters), absl::GetFlag(FLAGS_workers), absl::GetFlag(FLAGS_slots),
      absl::ToDoubleSeconds(submitted), n / absl::ToDoubleSeconds(submitted),
      absl::ToDoubleSeconds(ran), peak_mb, n, absl::ToDoubleSeconds(deleted),
      n / absl::ToDoubleSeconds(deleted), n / 1000, kept.rss_mb, after.rss_mb, kept.restart_term_s,
      after.restart_term_s, kept.restart_kill_s, after.restart_kill_s, kept.rss_after_restart_mb,
      after.rss_after_restart_mb, kept.list_p50_ms, kept.list_p99_ms, after.list_p50_ms,
      after.list_p99_ms, kept.cli_list_ms, after.cli_list_ms, kept.lease_rate, after.lease_rate);
  return 0;
}

}  // namespace
}  // namespace fanout::bench

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  return fanout::bench::Run();
}
