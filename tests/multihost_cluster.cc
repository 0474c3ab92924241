#include "tests/multihost_cluster.h"

#include <filesystem>
#include <fstream>
#include <sstream>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/coordinator_channel.h"
#include "common/grpc_status.h"
#include "common/limits.h"

namespace fanout::testing {
namespace {

std::string ReadAll(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return std::string(absl::StripAsciiWhitespace(s.str()));
}

std::unique_ptr<grpc::ClientContext> Deadline(absl::Duration d) {
  auto context = std::make_unique<grpc::ClientContext>();
  context->set_deadline(absl::ToChronoTime(absl::Now() + d));
  return context;
}

std::string Address() {
  return absl::StrCat(MultiHostCluster::kName, ":", MultiHostCluster::kPort);
}

}  // namespace

MultiHostCluster::MultiHostCluster(HostNetwork& net, std::string name,
                                   std::vector<std::string> coordinator_flags)
    : net_(net),
      name_(std::move(name)),
      data_dir_(TestDir(name_ + "-data")),
      logs_(ArtifactDir() + "/" + name_),
      history_dir_(TestDir(name_ + "-history")),
      trace_dir_(TestDir(name_ + "-traces")),
      coordinator_flags_(std::move(coordinator_flags)) {
  for (const std::string& dir : {logs_, history_dir_, trace_dir_}) {
    std::filesystem::create_directories(dir);
  }
}

MultiHostCluster::~MultiHostCluster() {
  trigger_.reset();
  workers_.clear();
  proxies_.clear();
  coordinator_.reset();
}

absl::Status MultiHostCluster::StartCoordinator(const std::string& host) {
  const std::string port_file = absl::StrCat(logs_, "/port", ++coordinator_starts_);
  std::vector<std::string> args = {absl::StrCat("--listen=", net_.address(host), ":", kPort),
                                   "--data_dir=" + data_dir_, "--port_file=" + port_file};
  args.insert(args.end(), coordinator_flags_.begin(), coordinator_flags_.end());
  absl::StatusOr<std::unique_ptr<Process>> p =
      net_.Spawn(host, Runfile("coordinator/fanout-coordinator"), args,
                 absl::StrCat(logs_, "/coordinator-", coordinator_starts_, ".log"));
  if (!p.ok()) return p.status();
  coordinator_ = std::move(*p);
  if (absl::StatusOr<int> port = AwaitPortFile(*coordinator_, port_file, "coordinator");
      !port.ok()) {
    return port.status();
  }
  if (absl::Status s = net_.SetName(kName, net_.address(host)); !s.ok()) return s;
  if (jobs_ != nullptr) return absl::OkStatus();
  admin_ = ReadAll(data_dir_ + "/admin.token");
  grpc::ChannelArguments channel_args;
  channel_args.SetMaxReceiveMessageSize(kMaxMessageBytes);
  ClientSecurity security;
  security.token = admin_;
  jobs_ = v1::JobService::NewStub(DialCoordinator(Address(), security, channel_args));
  for (const std::string role : {"worker", "trigger"}) {
    absl::StatusOr<std::string> token = MintToken(role);
    if (!token.ok()) return token.status();
    token_files_[role] = absl::StrCat(logs_, "/", role, ".token");
    std::ofstream(token_files_[role]) << *token << "\n";
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> MultiHostCluster::MintToken(const std::string& role) {
  CommandResult made = RunCommand(
      Runfile("cli/fanout"), {"token", "create", "--role=" + role, "--coordinator=" + Address()},
      absl::Seconds(30), {"FANOUT_TOKEN=" + admin_});
  if (made.exit_code != 0) return absl::InternalError("fanout token create: " + made.err);
  return std::string(absl::StripAsciiWhitespace(made.out));
}

void MultiHostCluster::KillCoordinator(int signal) {
  coordinator_->Signal(signal);
  coordinator_->Wait();
}

std::string MultiHostCluster::WorkerLog(const std::string& host) const {
  return absl::StrCat(logs_, "/worker-", host, ".log");
}

absl::Status MultiHostCluster::StartWorker(const std::string& host, int slots,
                                           const PathFaults& faults) {
  std::string coordinator = Address();
  if (faults.any()) {  // the worker dials a proxy on its own host, which dials the coordinator
    const std::string port_file = absl::StrCat(logs_, "/proxy-", host, ".port");
    absl::StatusOr<std::unique_ptr<Process>> proxy = net_.Spawn(
        host, Runfile("tests/fault_proxy"),
        {"--listen=127.0.0.1:0", "--port_file=" + port_file, "--to=" + Address(),
         absl::StrCat("--delay_ms=", faults.delay_ms),
         absl::StrCat("--jitter_ms=", faults.jitter_ms), absl::StrCat("--drop=", faults.drop),
         absl::StrCat("--reset_mean_s=", faults.reset_mean_s),
         absl::StrCat("--seed=", proxies_.size() + 1)},
        absl::StrCat(logs_, "/proxy-", host, ".log"));
    if (!proxy.ok()) return proxy.status();
    absl::StatusOr<int> port = AwaitPortFile(**proxy, port_file, "fault proxy");
    if (!port.ok()) return port.status();
    proxies_.push_back(std::move(*proxy));
    coordinator = absl::StrCat("127.0.0.1:", *port);
  }
  absl::StatusOr<std::unique_ptr<Process>> p = net_.Spawn(
      host, Runfile("worker/fanout-worker"),
      {"--coordinator=" + coordinator, absl::StrCat("--slots=", slots), "--worker_id=" + host,
       "--token_file=" + token_files_.at("worker"),
       "--history_file=" + history_dir_ + "/" + host + ".jsonl", "--file_roots=" + trace_dir_},
      WorkerLog(host));
  if (!p.ok()) return p.status();
  workers_.push_back(std::move(*p));
  return absl::OkStatus();
}

absl::Status MultiHostCluster::StartTrigger(const std::string& host, const std::string& config) {
  const std::string config_path = logs_ + "/trigger.json";
  std::ofstream(config_path) << config;
  const std::string port_file = logs_ + "/trigger.port";
  const std::string listen = absl::StrCat(net_.address(host), ":7071");
  absl::StatusOr<std::unique_ptr<Process>> p = net_.Spawn(
      host, Runfile("trigger/fanout-trigger"),
      {"--config=" + config_path, "--coordinator=" + Address(), "--http_listen=" + listen,
       "--token_file=" + token_files_.at("trigger"), "--port_file=" + port_file},
      logs_ + "/trigger.log");
  if (!p.ok()) return p.status();
  trigger_ = std::move(*p);
  if (absl::StatusOr<int> port = AwaitPortFile(*trigger_, port_file, "trigger"); !port.ok()) {
    return port.status();
  }
  trigger_url_ = absl::StrCat("http://", listen, "/");
  return absl::OkStatus();
}

absl::StatusOr<v1::Job> MultiHostCluster::Submit(const v1::JobSpec& spec) {
  v1::SubmitJobRequest request;
  *request.mutable_spec() = spec;
  v1::SubmitJobResponse response;
  grpc::Status status = jobs_->SubmitJob(Deadline(absl::Seconds(30)).get(), request, &response);
  if (!status.ok()) return FromGrpcStatus(status);
  return response.job();
}

absl::StatusOr<v1::Job> MultiHostCluster::WaitForJob(const std::string& job_id,
                                                     absl::Duration timeout) {
  const absl::Time end = absl::Now() + timeout;
  absl::Status last = absl::UnavailableError("not asked yet");
  while (absl::Now() < end) {
    v1::GetJobRequest request;
    request.set_job_id(job_id);
    v1::Job job;
    grpc::Status status = jobs_->GetJob(Deadline(absl::Seconds(2)).get(), request, &job);
    if (status.ok() && job.state() != v1::JOB_RUNNING) return job;
    last = status.ok() ? absl::OkStatus() : FromGrpcStatus(status);
    absl::SleepFor(absl::Milliseconds(50));
  }
  return absl::DeadlineExceededError(
      absl::StrCat("job ", job_id, " did not end; last: ", last.ToString()));
}

}  // namespace fanout::testing
