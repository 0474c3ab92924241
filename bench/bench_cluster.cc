#include "bench/bench_cluster.h"

#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/grpc_status.h"
#include "grpcpp/grpcpp.h"
#include "tests/job_pages.h"

namespace fanout::bench {

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

double Percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<size_t>(p * v.size()))];
}

absl::StatusOr<std::unique_ptr<BenchCluster>> BenchCluster::Start(const std::string& bin,
                                                                  int workers, int slots,
                                                                  std::vector<std::string> flags) {
  std::unique_ptr<BenchCluster> c(new BenchCluster());
  c->bin_ = bin;
  c->dir_ = std::filesystem::temp_directory_path() / absl::StrCat("fanout-bench-", getpid());
  std::filesystem::remove_all(c->dir_);
  std::filesystem::create_directories(c->dir_);
  if (absl::Status s = c->StartCoordinator(std::move(flags)); !s.ok()) return s;
  const std::string address = c->address_;
  for (int i = 0; i < workers; ++i) {
    absl::StatusOr<std::unique_ptr<testing::Process>> w =
        testing::Process::Spawn(bin + "/fanout-worker",
                                {"--coordinator=" + address, absl::StrCat("--slots=", slots),
                                 "--file_roots=" + std::filesystem::temp_directory_path().string()},
                                absl::StrCat(c->dir_, "/worker", i, ".log"));
    if (!w.ok()) return w.status();
    c->workers_.push_back(std::move(*w));
  }
  c->jobs_ =
      v1::JobService::NewStub(grpc::CreateChannel(address, grpc::InsecureChannelCredentials()));
  // Measure only once every worker is polling.
  for (v1::ListWorkersResponse listed; listed.workers_size() < workers;) {
    grpc::ClientContext context;
    c->jobs_->ListWorkers(&context, v1::ListWorkersRequest(), &listed);
    absl::SleepFor(absl::Milliseconds(50));
  }
  return c;
}

absl::Status BenchCluster::StartCoordinator(std::vector<std::string> flags) {
  std::filesystem::remove(dir_ + "/port");
  flags.insert(flags.end(), {absl::StrCat("--listen=127.0.0.1:", port_),
                             "--data_dir=" + dir_ + "/data", "--port_file=" + dir_ + "/port",
                             "--file_roots=" + std::filesystem::temp_directory_path().string()});
  absl::StatusOr<std::unique_ptr<testing::Process>> coordinator = testing::Process::Spawn(
      bin_ + "/fanout-coordinator", flags, absl::StrCat(dir_, "/coordinator.log"));
  if (!coordinator.ok()) return coordinator.status();
  coordinator_ = std::move(*coordinator);
  absl::StatusOr<int> port = testing::AwaitPortFile(
      *coordinator_, dir_ + "/port", "fanout-coordinator (see " + dir_ + "/coordinator.log)",
      absl::Minutes(5));
  if (!port.ok()) return port.status();
  port_ = *port;
  address_ = absl::StrCat("127.0.0.1:", port_);
  return absl::OkStatus();
}

absl::StatusOr<absl::Duration> BenchCluster::RestartCoordinator(int signal,
                                                                std::vector<std::string> flags) {
  coordinator_->Signal(signal);
  coordinator_->Wait(absl::Minutes(2));
  const absl::Time start = absl::Now();
  if (absl::Status s = StartCoordinator(std::move(flags)); !s.ok()) return s;
  return absl::Now() - start;
}

BenchCluster::~BenchCluster() {
  for (auto& w : workers_) w->Signal(SIGTERM);
  if (coordinator_) coordinator_->Signal(SIGTERM);
  workers_.clear();
  if (coordinator_) coordinator_->Wait();
  std::filesystem::remove_all(dir_);
}

absl::StatusOr<v1::Job> BenchCluster::RunJob(const v1::JobSpec& spec) {
  absl::StatusOr<std::string> id = Submit(spec);
  if (!id.ok()) return id.status();
  return WaitForEnd(*id);
}

absl::StatusOr<std::string> BenchCluster::Submit(const v1::JobSpec& spec) {
  v1::SubmitJobRequest submit;
  *submit.mutable_spec() = spec;
  v1::SubmitJobResponse submitted;
  grpc::ClientContext sc;
  grpc::Status status = jobs_->SubmitJob(&sc, submit, &submitted);
  if (!status.ok()) return FromGrpcStatus(status);
  return submitted.job().job_id();
}

absl::StatusOr<v1::Job> BenchCluster::GetJob(const std::string& job_id) {
  v1::GetJobRequest request;
  request.set_job_id(job_id);
  v1::Job job;
  grpc::ClientContext context;
  grpc::Status status = jobs_->GetJob(&context, request, &job);
  if (!status.ok()) return FromGrpcStatus(status);
  return job;
}

absl::StatusOr<v1::Job> BenchCluster::WaitForEnd(const std::string& job_id) {
  v1::WatchJobRequest watch;
  watch.set_job_id(job_id);
  grpc::ClientContext wc;
  auto reader = jobs_->WatchJob(&wc, watch);
  v1::Job job;
  while (reader->Read(&job) && job.state() == v1::JOB_RUNNING) {
  }
  wc.TryCancel();
  reader->Finish();
  return job;
}

absl::StatusOr<std::vector<v1::Task>> BenchCluster::Tasks(const std::string& job_id) {
  return testing::ListAllTasks(*jobs_, job_id);
}

}  // namespace fanout::bench
