// Benchmark observed-fanout: what watching costs. One coordinator serving the dashboard and
// /metrics (--http_listen) runs the same noop job twice: once unobserved, once while a scraper
// fetches /metrics, /api/jobs and the job's page every --scrape_every (4 a second by default:
// a dashboard refreshes once a second, Prometheus every 15 s). Prints the throughput of both runs,
// their ratio and each endpoint's latency.
//
//   bazel-bin/bench/observed_fanout --bin_dir=bin [--tasks=100000] [--scrape_every=250ms]
#include <atomic>
#include <iostream>
#include <thread>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_replace.h"
#include "absl/time/clock.h"
#include "bench/bench_cluster.h"
#include "tests/free_port.h"
#include "tests/http_client.h"

ABSL_FLAG(std::string, bin_dir, "bin", "where fanout-coordinator and fanout-worker are");
ABSL_FLAG(int, tasks, 100000, "tasks per job");
ABSL_FLAG(int, workers, 2, "worker processes");
ABSL_FLAG(int, slots, 4, "slots per worker");
ABSL_FLAG(absl::Duration, scrape_every, absl::Milliseconds(250), "pause between scrape rounds");

namespace fanout::bench {
namespace {

struct Endpoint {
  std::string name;
  std::string path;
  std::vector<double> ms;
  size_t bytes = 0;
  int errors = 0;
};

void Fetch(int port, Endpoint& e) {
  const absl::Time start = absl::Now();
  absl::StatusOr<s3::HttpResponse> response = testing::HttpGet(port, e.path);
  e.ms.push_back(absl::ToDoubleMilliseconds(absl::Now() - start));
  if (!response.ok() || response->status != 200) {
    ++e.errors;
    return;
  }
  e.bytes = response->body.size();
}

// Runs a noop job; while it runs, `endpoints` are fetched round after round (none: unobserved).
absl::StatusOr<double> TimedJob(BenchCluster& c, int port, std::vector<Endpoint>& endpoints) {
  v1::JobSpec spec;
  spec.set_function("builtin:noop");
  spec.set_source(absl::StrCat("range:1-", absl::GetFlag(FLAGS_tasks)));
  const absl::Time t0 = absl::Now();
  absl::StatusOr<std::string> id = c.Submit(spec);
  if (!id.ok()) return id.status();
  std::atomic<bool> done{false};
  std::thread scraper([&] {
    for (Endpoint& e : endpoints) absl::StrReplaceAll({{"JOB", *id}}, &e.path);
    while (!done.load() && !endpoints.empty()) {
      for (Endpoint& e : endpoints) Fetch(port, e);
      absl::SleepFor(absl::GetFlag(FLAGS_scrape_every));
    }
  });
  absl::StatusOr<v1::Job> job = c.WaitForEnd(*id);
  const absl::Time t1 = absl::Now();
  done = true;
  scraper.join();
  if (!job.ok()) return job.status();
  if (job->state() != v1::JOB_SUCCEEDED) return absl::InternalError("the job did not succeed");
  return absl::GetFlag(FLAGS_tasks) / absl::ToDoubleSeconds(t1 - t0);
}

int Run() {
  const int port = testing::FreePortBelowEphemeral();
  auto cluster = BenchCluster::Start(absl::GetFlag(FLAGS_bin_dir), absl::GetFlag(FLAGS_workers),
                                     absl::GetFlag(FLAGS_slots),
                                     {absl::StrCat("--http_listen=127.0.0.1:", port)});
  if (!cluster.ok()) {
    std::cerr << cluster.status() << "\n";
    return 1;
  }
  std::vector<Endpoint> none;
  std::vector<Endpoint> endpoints = {
      {"/metrics", "/metrics"},
      {"/api/jobs", "/api/jobs?limit=100"},
      {"/api/jobs/ID", "/api/jobs/JOB"},
      {"/api/jobs/ID/tasks", "/api/jobs/JOB/tasks?start=0&limit=100"}};
  absl::StatusOr<double> quiet = TimedJob(**cluster, port, none);
  absl::StatusOr<double> watched = TimedJob(**cluster, port, endpoints);
  if (!quiet.ok() || !watched.ok()) {
    std::cerr << (quiet.ok() ? watched.status() : quiet.status()) << "\n";
    return 1;
  }
  std::cout << absl::StrFormat(
      "observed-fanout: %d noop tasks per job, %d workers x %d slots, durable; scraping every %s\n"
      "| run                         | tasks/s  |\n"
      "|-----------------------------|----------|\n"
      "| unobserved                  | %8.0f |\n"
      "| dashboard + /metrics scraped| %8.0f |\n"
      "observed / unobserved = %.2f\n\n"
      "| endpoint            | requests | p50 ms | p99 ms | bytes  | errors |\n"
      "|---------------------|----------|--------|--------|--------|--------|\n",
      absl::GetFlag(FLAGS_tasks), absl::GetFlag(FLAGS_workers), absl::GetFlag(FLAGS_slots),
      absl::FormatDuration(absl::GetFlag(FLAGS_scrape_every)), *quiet, *watched, *watched / *quiet);
  int errors = 0;
  for (const Endpoint& e : endpoints) {
    errors += e.errors;
    std::cout << absl::StrFormat("| %-19s | %8d | %6.2f | %6.2f | %6d | %6d |\n", e.name,
                                 e.ms.size(), Percentile(e.ms, 0.5), Percentile(e.ms, 0.99),
                                 e.bytes, e.errors);
  }
  return errors == 0 ? 0 : 1;
}

}  // namespace
}  // namespace fanout::bench

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  return fanout::bench::Run();
}
