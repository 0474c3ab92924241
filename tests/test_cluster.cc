#include "tests/test_cluster.h"

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/grpc_status.h"
#include "common/limits.h"
#include "grpcpp/grpcpp.h"
#include "tests/job_pages.h"

namespace fanout::testing {
namespace {

// Tests keep their files below TEST_TMPDIR: the cluster may reach them there, unless a test says
// otherwise.
std::vector<std::string> WithFileRoots(std::vector<std::string> args,
                                       const std::vector<std::string>& flags) {
  if (std::none_of(flags.begin(), flags.end(),
                   [](const std::string& f) { return absl::StartsWith(f, "--file_roots"); })) {
    const char* tmp = std::getenv("TEST_TMPDIR");
    args.push_back(absl::StrCat("--file_roots=", tmp ? tmp : "/tmp"));
  }
  args.insert(args.end(), flags.begin(), flags.end());
  return args;
}

std::unique_ptr<grpc::ClientContext> Deadline(absl::Duration d = absl::Seconds(30)) {
  auto context = std::make_unique<grpc::ClientContext>();
  context->set_deadline(std::chrono::system_clock::now() + absl::ToChronoMilliseconds(d));
  return context;
}

}  // namespace

TestCluster::TestCluster(const std::string& name, std::vector<std::string> env)
    : name_(name), env_(std::move(env)), data_dir_(TestDir(name + "-data")), logs_(ArtifactDir()) {}

TestCluster::~TestCluster() {
  workers_.clear();
  coordinator_.reset();
}

std::string TestCluster::address() const { return absl::StrCat("127.0.0.1:", port_); }

absl::Status TestCluster::StartCoordinator(const std::vector<std::string>& flags) {
  const std::string port_file = TestDir(absl::StrCat(name_, "-port", ++coordinator_starts_));
  std::vector<std::string> args = {absl::StrCat("--listen=127.0.0.1:", port_),
                                   "--data_dir=" + data_dir_, "--port_file=" + port_file};
  args = WithFileRoots(std::move(args), flags);
  absl::StatusOr<std::unique_ptr<Process>> p =
      Process::Spawn(Runfile("coordinator/fanout-coordinator"), args,
                     absl::StrCat(logs_, "/", name_, "-coordinator.log"), env_);
  if (!p.ok()) return p.status();
  coordinator_ = std::move(*p);
  absl::StatusOr<int> port = AwaitPortFile(*coordinator_, port_file, "coordinator");
  if (!port.ok()) return port.status();
  port_ = *port;
  grpc::ChannelArguments channel_args;
  channel_args.SetMaxReceiveMessageSize(kMaxMessageBytes);  // pages of big results
  jobs_ = v1::JobService::NewStub(
      grpc::CreateCustomChannel(address(), grpc::InsecureChannelCredentials(), channel_args));
  return absl::OkStatus();
}

void TestCluster::KillCoordinator(int signal) {
  coordinator_->Signal(signal);
  coordinator_->Wait();
}

absl::Status TestCluster::StartWorker(const std::string& worker_id, int slots,
                                      const std::vector<std::string>& flags) {
  std::vector<std::string> args = {"--coordinator=" + address(), absl::StrCat("--slots=", slots),
                                   "--worker_id=" + worker_id};
  args = WithFileRoots(std::move(args), flags);
  absl::StatusOr<std::unique_ptr<Process>> p =
      Process::Spawn(Runfile("worker/fanout-worker"), args,
                     absl::StrCat(logs_, "/", name_, "-", worker_id, ".log"), env_);
  if (!p.ok()) return p.status();
  workers_[worker_id] = std::move(*p);
  return absl::OkStatus();
}

void TestCluster::KillWorker(const std::string& worker_id, int signal) {
  workers_[worker_id]->Signal(signal);
  workers_[worker_id]->Wait();
}

absl::StatusOr<v1::Job> TestCluster::Submit(const v1::JobSpec& spec) {
  v1::SubmitJobRequest request;
  *request.mutable_spec() = spec;
  v1::SubmitJobResponse response;
  grpc::Status status = jobs_->SubmitJob(Deadline().get(), request, &response);
  if (!status.ok()) return FromGrpcStatus(status);
  return response.job();
}

absl::StatusOr<v1::Job> TestCluster::GetJob(const std::string& job_id) {
  v1::GetJobRequest request;
  request.set_job_id(job_id);
  v1::Job job;
  grpc::Status status = jobs_->GetJob(Deadline(absl::Seconds(5)).get(), request, &job);
  if (!status.ok()) return FromGrpcStatus(status);
  return job;
}

absl::StatusOr<v1::Job> TestCluster::WaitForJob(const std::string& job_id, absl::Duration timeout) {
  const absl::Time end = absl::Now() + timeout;
  absl::StatusOr<v1::Job> job = absl::UnavailableError("not asked yet");
  while (absl::Now() < end) {
    job = GetJob(job_id);
    if (job.ok() && job->state() != v1::JOB_RUNNING) return job;
    if (!job.ok() && job.status().code() != absl::StatusCode::kUnavailable) return job;
    absl::SleepFor(absl::Milliseconds(100));
  }
  return absl::DeadlineExceededError(
      absl::StrCat("job did not end in time; last seen: ",
                   job.ok() ? job->ShortDebugString() : job.status().ToString()));
}

absl::StatusOr<v1::Job> TestCluster::WaitForJob(const std::string& job_id,
                                                const std::function<bool(const v1::Job&)>& done,
                                                absl::Duration timeout) {
  const absl::Time end = absl::Now() + timeout;
  while (absl::Now() < end) {
    absl::StatusOr<v1::Job> job = GetJob(job_id);
    if (job.ok() && (done(*job) || job->state() != v1::JOB_RUNNING)) return job;
    absl::SleepFor(absl::Milliseconds(20));
  }
  return absl::DeadlineExceededError("the job never reached the state waited for");
}

absl::StatusOr<std::vector<v1::Task>> TestCluster::Tasks(const std::string& job_id) {
  return ListAllTasks(*jobs_, job_id);
}

absl::StatusOr<std::vector<v1::ItemResult>> TestCluster::Results(const std::string& job_id) {
  return ListAllResults(*jobs_, job_id);
}

CommandResult TestCluster::Cli(std::vector<std::string> args) {
  args.push_back("--coordinator=" + address());
  return RunCommand(Runfile("cli/fanout"), args, absl::Seconds(120), env_);
}

}  // namespace fanout::testing
