// Benchmark noop-fanout-100k: one job of N builtin:noop tasks on W worker processes against a real
// coordinator with durable settings (WAL synced before every acknowledgement). Measures the time
// from SubmitJob until the submitter's WatchJob stream reports the job SUCCEEDED, per-task
// latencies from the stored attempts, and the coordinator's peak RSS. Prints a table and the ratio
// to the target.
//
//   bazel-bin/bench/noop_fanout --bin_dir=bin [--tasks=100000] [--workers=2] [--slots=4]
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "common/proto_time.h"
#include "grpcpp/grpcpp.h"
#include "proto/job_service.grpc.pb.h"
#include "tests/process.h"

ABSL_FLAG(std::string, bin_dir, "bin", "where fanout-coordinator and fanout-worker are");
ABSL_FLAG(int, tasks, 100000, "tasks in the job");
ABSL_FLAG(int, workers, 2, "worker processes");
ABSL_FLAG(int, slots, 4, "slots per worker");
ABSL_FLAG(double, target, 50000, "tasks/s the benchmark should reach");

namespace fanout::bench {
namespace {

using testing::Process;

double Percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<size_t>(p * v.size()))];
}

// CPU seconds (user + system) a process has used so far.
double CpuSeconds(pid_t pid) {
  std::ifstream in(absl::StrCat("/proc/", pid, "/stat"));
  std::string line;
  std::getline(in, line);
  // Fields after the command name (which may hold spaces) start after the last ')'.
  std::istringstream rest(line.substr(line.rfind(')') + 2));
  std::string field;
  double utime = 0, stime = 0;
  for (int i = 3; i <= 15 && rest >> field; ++i) {
    if (i == 14) utime = std::stod(field);
    if (i == 15) stime = std::stod(field);
  }
  return (utime + stime) / sysconf(_SC_CLK_TCK);
}

int64_t PeakRssKb(pid_t pid) {
  std::ifstream in(absl::StrCat("/proc/", pid, "/status"));
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("VmHWM:", 0) == 0) return std::stoll(line.substr(6));
  }
  return -1;
}

int Run() {
  const std::string bin = absl::GetFlag(FLAGS_bin_dir);
  const std::string dir =
      std::filesystem::temp_directory_path() / absl::StrCat("fanout-bench-", getpid());
  std::filesystem::create_directories(dir);
  auto coordinator = Process::Spawn(
      bin + "/fanout-coordinator",
      {"--listen=127.0.0.1:0", "--data_dir=" + dir + "/data", "--port_file=" + dir + "/port"},
      dir + "/coordinator.log");
  if (!coordinator.ok()) {
    std::cerr << coordinator.status() << "\n";
    return 1;
  }
  while (!std::filesystem::exists(dir + "/port")) absl::SleepFor(absl::Milliseconds(10));
  int port = 0;
  std::ifstream(dir + "/port") >> port;
  const std::string address = absl::StrCat("127.0.0.1:", port);
  std::vector<std::unique_ptr<Process>> workers;
  for (int i = 0; i < absl::GetFlag(FLAGS_workers); ++i) {
    workers.push_back(*Process::Spawn(
        bin + "/fanout-worker",
        {"--coordinator=" + address, absl::StrCat("--slots=", absl::GetFlag(FLAGS_slots))},
        absl::StrCat(dir, "/worker", i, ".log")));
  }
  auto stub =
      v1::JobService::NewStub(grpc::CreateChannel(address, grpc::InsecureChannelCredentials()));
  // Start timing only once every worker is polling.
  for (v1::ListWorkersResponse w; w.workers_size() < absl::GetFlag(FLAGS_workers);) {
    grpc::ClientContext c;
    stub->ListWorkers(&c, v1::ListWorkersRequest(), &w);
    absl::SleepFor(absl::Milliseconds(50));
  }

  const int n = absl::GetFlag(FLAGS_tasks);
  v1::SubmitJobRequest submit;
  submit.mutable_spec()->set_function("builtin:noop");
  submit.mutable_spec()->set_source(absl::StrCat("range:1-", n));
  const double coordinator_cpu0 = CpuSeconds((*coordinator)->pid());
  double workers_cpu0 = 0;
  for (auto& w : workers) workers_cpu0 += CpuSeconds(w->pid());
  const absl::Time t0 = absl::Now();
  v1::SubmitJobResponse submitted;
  grpc::ClientContext sc;
  if (!stub->SubmitJob(&sc, submit, &submitted).ok()) return 1;
  const absl::Time t_submitted = absl::Now();
  v1::WatchJobRequest watch;
  watch.set_job_id(submitted.job().job_id());
  grpc::ClientContext wc;
  auto reader = stub->WatchJob(&wc, watch);
  v1::Job job;
  while (reader->Read(&job) && job.state() == v1::JOB_RUNNING) {
  }
  const absl::Time t1 = absl::Now();
  wc.TryCancel();
  reader->Finish();
  const int64_t rss_kb = PeakRssKb((*coordinator)->pid());
  const double coordinator_cpu = CpuSeconds((*coordinator)->pid()) - coordinator_cpu0;
  double workers_cpu = -workers_cpu0;
  for (auto& w : workers) workers_cpu += CpuSeconds(w->pid());

  // Per-task latencies from the stored records.
  std::vector<double> end_to_end_ms, run_ms;
  v1::ListTasksRequest list;
  list.set_job_id(job.job_id());
  list.set_page_size(10000);
  do {
    v1::ListTasksResponse page;
    grpc::ClientContext lc;
    stub->ListTasks(&lc, list, &page);
    for (const v1::Task& t : page.tasks()) {
      const absl::Time done = FromProto(t.finished_at());
      end_to_end_ms.push_back(absl::ToDoubleMilliseconds(done - FromProto(job.created_at())));
      run_ms.push_back(absl::ToDoubleMilliseconds(done - FromProto(t.attempts(0).leased_at())));
    }
    list.set_page_token(page.next_page_token());
  } while (!list.page_token().empty());

  const double seconds = absl::ToDoubleSeconds(t1 - t0);
  const double rate = n / seconds;
  std::cout << absl::StrFormat(
      "noop-fanout-%dk: %d tasks, %d workers x %d slots, durable (WAL synced)\n"
      "| metric                                   | value      |\n"
      "|------------------------------------------|------------|\n"
      "| job state                                | %-10s |\n"
      "| submit call (split + persist %d tasks)   | %7.0f ms |\n"
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
      v1::JobState_Name(job.state()), n, absl::ToDoubleMilliseconds(t_submitted - t0), seconds,
      rate, Percentile(end_to_end_ms, 0.5), Percentile(end_to_end_ms, 0.99),
      Percentile(run_ms, 0.5), Percentile(run_ms, 0.99), rss_kb / 1024.0,
      coordinator_cpu * 1e6 / n, workers_cpu * 1e6 / n,
      absl::GetFlag(FLAGS_target), rate / absl::GetFlag(FLAGS_target));
  for (auto& w : workers) w->Signal(SIGTERM);
  (*coordinator)->Signal(SIGTERM);
  workers.clear();
  (*coordinator)->Wait();
  std::filesystem::remove_all(dir);
  return job.state() == v1::JOB_SUCCEEDED ? 0 : 1;
}

}  // namespace
}  // namespace fanout::bench

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  return fanout::bench::Run();
}
